/* The load generator of the udp-mmsg benchmark: one process, one socket, blasting 64-byte
 * UDP datagrams at 127.0.0.1 with sendmmsg() as fast as the kernel takes them. Compiled by
 * bench/mmsg.ts at run time (cc -O2). The same process serves every receiver of a run, so
 * they are all offered the same load.
 *
 *   udp_sendmmsg MAX_SECONDS [SIZE] [BATCH]
 *
 * Reads commands from stdin, one per line: a port number starts (or retargets) the blast at
 * 127.0.0.1:PORT, 0 pauses it, and on each pause it prints {"sent":N} (datagrams sent since
 * the last start). Exits at EOF on stdin, or after MAX_SECONDS whatever happens.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXBATCH 1024

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static char line[64];
static size_t linelen;

/* Reads what stdin has; returns the last complete command (port), -1 for none, -2 at EOF. */
static int read_command(void) {
  int cmd = -1;
  char c[64];
  ssize_t n = read(0, c, sizeof c);
  if (n == 0) return -2;
  if (n < 0) return errno == EINTR || errno == EAGAIN ? -1 : -2;
  for (ssize_t i = 0; i < n; i++) {
    if (c[i] == '\n') {
      line[linelen] = 0;
      cmd = atoi(line);
      linelen = 0;
    } else if (linelen < sizeof line - 1) {
      line[linelen++] = c[i];
    }
  }
  return cmd;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MAX_SECONDS [SIZE] [BATCH]\n", argv[0]);
    return 2;
  }
  double deadline = now_s() + atof(argv[1]);
  int size = argc > 2 ? atoi(argv[2]) : 64;
  int batch = argc > 3 ? atoi(argv[3]) : 64;
  if (size < 1 || size > 2048 || batch < 1 || batch > MAXBATCH) { fprintf(stderr, "bad SIZE or BATCH\n"); return 2; }

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int sndbuf = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) < 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  static char data[2048];
  memset(data, 'm', sizeof data);
  static struct mmsghdr msgs[MAXBATCH];
  static struct iovec iov[MAXBATCH];
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < batch; i++) {
    iov[i].iov_base = data;
    iov[i].iov_len = size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = sizeof to;
  }

  int port = 0;
  long long sent = 0;
  unsigned iter = 0;
  for (;;) {
    /* Paused: wait for a command. Blasting: look at stdin every 16 batches (no syscall
     * in between but sendmmsg). */
    if (port == 0 || (++iter & 15) == 0) {
      double left = deadline - now_s();
      if (left <= 0) break;
      struct pollfd p = { 0, POLLIN, 0 };
      int r = poll(&p, 1, port == 0 ? (int)(left * 1e3) + 1 : 0);
      if (r < 0 && errno != EINTR) { perror("poll"); return 1; }
      if (r > 0) {
        int cmd = read_command();
        if (cmd == -2) break;
        if (cmd >= 0) {
          if (cmd == 0 && port != 0) {
            printf("{\"sent\":%lld}\n", sent);
            fflush(stdout);
          }
          if (cmd != 0 && port == 0) sent = 0;
          port = cmd;
          to.sin_port = htons(port);
        }
      }
      if (port == 0) continue;
    }
    int n = sendmmsg(fd, msgs, batch, 0);
    if (n < 0) {
      /* ECONNREFUSED etc. cannot happen on an unconnected socket; ENOBUFS/EAGAIN: retry. */
      if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) continue;
      perror("sendmmsg");
      return 1;
    }
    sent += n;
  }
  close(fd);
  return 0;
}
