/*
 * echo_server.c - bounded TCP echo server used as a test peer.
 *
 *   usage: echo_server PORT [MAXCLIENTS]
 *
 * Listens on 127.0.0.1:PORT (SO_REUSEADDR). PORT 0 binds an ephemeral port
 * and writes "listening on N\n" (flushed) to stderr after listen(). Each
 * accepted client is served sequentially: everything received is echoed
 * back until EOF, then the connection is closed. Exits 0 after MAXCLIENTS
 * clients (default 1). Exits 2 after 30 s total runtime (alarm). Setup
 * errors: perror() and exit 1. Per-client I/O errors just end that client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

static void on_alarm(int sig)
{
    (void)sig;
    _exit(2);
}

static void fail(const char *what)
{
    perror(what);
    exit(1);
}

static void serve(int fd)
{
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        ssize_t off = 0;
        while (off < n) {
            ssize_t w = send(fd, buf + off, (size_t)(n - off), 0);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return;
            off += w;
        }
    }
}

int main(int argc, char *argv[])
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s PORT [MAXCLIENTS]\n", argv[0]);
        exit(1);
    }
    signal(SIGALRM, on_alarm);
    signal(SIGPIPE, SIG_IGN);
    alarm(30);

    int port = atoi(argv[1]);
    int max_clients = (argc == 3) ? atoi(argv[2]) : 1;
    if (max_clients < 1)
        max_clients = 1;

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0)
        fail("socket() failed");
    int one = 1;
    (void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);

    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    local.sin_port = htons((unsigned short)port);
    if (bind(lfd, (struct sockaddr *)&local, sizeof local) < 0)
        fail("bind() failed");
    if (listen(lfd, 16) < 0)
        fail("listen() failed");

    if (port == 0) {
        struct sockaddr_in bound;
        socklen_t blen = sizeof bound;
        if (getsockname(lfd, (struct sockaddr *)&bound, &blen) < 0)
            fail("getsockname() failed");
        fprintf(stderr, "listening on %u\n", (unsigned)ntohs(bound.sin_port));
        fflush(stderr);
    }

    for (int served = 0; served < max_clients; served++) {
        int cfd;
        do {
            cfd = accept(lfd, NULL, NULL);
        } while (cfd < 0 && errno == EINTR);
        if (cfd < 0)
            fail("accept() failed");
        serve(cfd);
        close(cfd);
    }
    close(lfd);
    return 0;
}
