/*
 * echo_client.c - independent test peer with the behaviour and output of
 * TCPEchoClient4 (Donahoo & Calvert).
 *
 *   usage: echo_client IP WORD [PORT]      (PORT defaults to 7)
 *
 * Sends WORD, receives exactly strlen(WORD) bytes back (recv(BUFSIZE - 1)
 * chunks) and prints "Received: WORD\n". Failures: user messages are
 * "msg: detail\n" on stderr, system messages are perror(msg); both exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

enum { BUFSIZE = 512 };

static void user_fail(const char *msg, const char *detail)
{
    fputs(msg, stderr);
    fputs(": ", stderr);
    fputs(detail, stderr);
    fputc('\n', stderr);
    exit(1);
}

static void system_fail(const char *msg)
{
    perror(msg);
    exit(1);
}

int main(int argc, char *argv[])
{
    if (argc < 3 || argc > 4)
        user_fail("Parameter(s)", "<Server Address> <Echo Word> [<Server Port>]");

    const char *ip = argv[1];
    const char *word = argv[2];
    in_port_t port = (in_port_t)((argc == 4) ? atoi(argv[3]) : 7);

    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (fd < 0)
        system_fail("socket() failed");

    struct sockaddr_in remote;
    memset(&remote, 0, sizeof remote);
    remote.sin_family = AF_INET;
    int rc = inet_pton(AF_INET, ip, &remote.sin_addr.s_addr);
    if (rc == 0)
        user_fail("inet_pton() failed", "invalid address string");
    else if (rc < 0)
        system_fail("inet_pton() failed");
    remote.sin_port = htons(port);

    if (connect(fd, (struct sockaddr *)&remote, sizeof remote) < 0)
        system_fail("connect() failed");

    size_t len = strlen(word);
    ssize_t n = send(fd, word, len, 0);
    if (n < 0)
        system_fail("send() failed");
    else if ((size_t)n != len)
        user_fail("send()", "sent unexpected number of bytes");

    size_t total = 0;
    fputs("Received: ", stdout);
    while (total < len) {
        char buf[BUFSIZE];
        n = recv(fd, buf, BUFSIZE - 1, 0);
        if (n < 0)
            system_fail("recv() failed");
        else if (n == 0)
            user_fail("recv()", "connection closed prematurely");
        total += (size_t)n;
        buf[n] = '\0';
        fputs(buf, stdout);
    }
    fputc('\n', stdout);
    fflush(stdout);
    close(fd);
    exit(0);
}
