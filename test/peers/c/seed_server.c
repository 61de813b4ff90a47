/*
 * seed_server.c - independent test peer reproducing the wire behaviour and
 * output of the lecture's TCP "server" program.
 *
 *   usage: seed_server PORT
 *
 * Binds INADDR_ANY:PORT (SO_REUSEADDR), listens, accepts one client, reads
 * up to 255 bytes once, prints "Here is the message: %s\n", replies with the
 * 18 bytes "I got your message" and exits 0.
 *
 * Test extension: when PORT evaluates to 0 an ephemeral port is bound and
 * "listening on N\n" is written (and flushed) to stderr after listen().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

static void fail(const char *what)
{
    perror(what);
    fflush(stdout);
    exit(1);
}

int main(int argc, char *argv[])
{
    if (argc < 2) {
        fprintf(stderr, "ERROR, no port provided\n");
        exit(1);
    }

    int listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0)
        fail("ERROR opening socket");

    int one = 1;
    (void)setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);

    int port = atoi(argv[1]);
    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_ANY);
    local.sin_port = htons((unsigned short)port);

    if (bind(listen_fd, (struct sockaddr *)&local, sizeof local) < 0)
        fail("ERROR on binding");
    listen(listen_fd, 5);

    if (port == 0) {
        struct sockaddr_in bound;
        socklen_t blen = sizeof bound;
        if (getsockname(listen_fd, (struct sockaddr *)&bound, &blen) < 0)
            fail("getsockname");
        fprintf(stderr, "listening on %u\n", (unsigned)ntohs(bound.sin_port));
        fflush(stderr);
    }

    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    int conn_fd = accept(listen_fd, (struct sockaddr *)&peer, &plen);
    if (conn_fd < 0)
        fail("ERROR on accept");

    char msg[256];
    memset(msg, 0, sizeof msg);
    ssize_t got = read(conn_fd, msg, 255);
    if (got < 0)
        fail("ERROR reading from socket");
    printf("Here is the message: %s\n", msg);
    fflush(stdout);

    ssize_t put = write(conn_fd, "I got your message", 18);
    if (put < 0)
        fail("ERROR writing to socket");

    fflush(stdout);
    return 0;
}
