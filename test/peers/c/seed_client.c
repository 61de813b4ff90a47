/*
 * seed_client.c - independent test peer reproducing the wire behaviour and
 * output of the lecture's TCP "client" program.
 *
 *   usage: seed_client HOST PORT
 *
 * Resolves HOST with gethostbyname(), connects, prints the prompt
 * "Please enter the message: ", reads one line (fgets, at most 254 chars)
 * from stdin, writes strlen() bytes, reads up to 255 bytes once and prints
 * them followed by "\n". Like the original, every error path exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>

static void fail(const char *what)
{
    perror(what);
    exit(0); /* the lecture client exits 0 even on errors */
}

int main(int argc, char *argv[])
{
    if (argc < 3) {
        fprintf(stderr, "usage %s hostname port\n", argv[0]);
        exit(0);
    }

    int port = atoi(argv[2]);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        fail("ERROR opening socket");

    struct hostent *he = gethostbyname(argv[1]);
    if (he == NULL) {
        fprintf(stderr, "ERROR, no such host\n");
        exit(0);
    }

    struct sockaddr_in remote;
    memset(&remote, 0, sizeof remote);
    remote.sin_family = AF_INET;
    memcpy(&remote.sin_addr.s_addr, he->h_addr_list[0], (size_t)he->h_length);
    remote.sin_port = htons((unsigned short)port);

    if (connect(fd, (struct sockaddr *)&remote, sizeof remote) < 0)
        fail("ERROR connecting");

    printf("Please enter the message: ");

    char line[256];
    memset(line, 0, sizeof line);
    if (fgets(line, 255, stdin) == NULL)
        line[0] = '\0';

    ssize_t put = write(fd, line, strlen(line));
    if (put < 0)
        fail("ERROR writing to socket");

    memset(line, 0, sizeof line);
    ssize_t got = read(fd, line, 255);
    if (got < 0)
        fail("ERROR reading from socket");

    printf("%s\n", line);
    fflush(stdout);
    return 0;
}
