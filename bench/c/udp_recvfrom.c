/* The C reference receiver of the udp-mmsg benchmark: plain syscalls, one recvfrom() per
 * datagram. Compiled by bench/mmsg.ts at run time (cc -O2) into a temp dir.
 *
 *   udp_recvfrom PORT WARMUP_MS DURATION_MS RCVBUF
 *
 * Binds a UDP socket on 127.0.0.1:PORT (0: any), prints {"port":N} on a line, then
 * receives. The clock starts at the first datagram: datagrams received in the first
 * WARMUP_MS are not counted, those received in the next DURATION_MS are. Prints
 * {"received":N,"seconds":S,"cpuUs":C,"rcvbuf":B} and exits. A receive that waits 2 s
 * (SO_RCVTIMEO) ends the run (exit 3 before the first datagram).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_us(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s PORT WARMUP_MS DURATION_MS RCVBUF\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  double warmup = atof(argv[2]), duration = atof(argv[3]);
  int rcvbuf = atoi(argv[4]);

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  /* SO_RCVBUFFORCE passes rmem_max (root only); otherwise SO_RCVBUF, capped by rmem_max. */
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) { perror("SO_RCVBUF"); return 1; }
  struct timeval tv = { 2, 0 };
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) { perror("SO_RCVTIMEO"); return 1; }
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }
  socklen_t sl = sizeof sa;
  getsockname(fd, (struct sockaddr *)&sa, &sl);
  int eff = 0;
  socklen_t el = sizeof eff;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &eff, &el);
  printf("{\"port\":%d}\n", ntohs(sa.sin_port));
  fflush(stdout);

  char buf[2048];
  struct sockaddr_in from;
  socklen_t fl;
  long long received = 0;
  double start = 0, end = 0, cpu0 = -1, cpu1 = -1;
  int first = 1;
  for (;;) {
    fl = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN && !first) break; /* the sender stopped */
      perror("recvfrom");
      return first ? 3 : 1;
    }
    double t = now_ms();
    if (first) {
      first = 0;
      start = t + warmup;
      end = start + duration;
    }
    if (t >= end) break;
    if (t >= start) {
      if (cpu0 < 0) cpu0 = cpu_us();
      received++;
    }
  }
  cpu1 = cpu_us();
  if (received == 0) { fprintf(stderr, "udp_recvfrom: nothing received in the window\n"); return 1; }
  printf("{\"received\":%lld,\"seconds\":%.6f,\"cpuUs\":%.4f,\"rcvbuf\":%d}\n", received, duration / 1e3,
         (cpu1 - cpu0) / received, eff);
  close(fd);
  return 0;
}
