/* The plain-C contenders of `npm run bench` (bench/compare.ts): the same workloads as the
 * TypeScript ones, with plain syscalls. Compiled at run time by bench/c-ref.ts (cc -O2) into
 * a temp dir; nothing compiled is committed.
 *
 *   ref pair      WARMUP_MS DURATION_MS                     UDP sendto+recvfrom lockstep, one process
 *   ref udp1p     WARMUP_MS DURATION_MS BURST MMSG          UDP bursts to self, one process
 *   ref udprecv   WARMUP_MS DURATION_MS MMSG                UDP receiver (prints {"port"} first)
 *   ref udpsend   PORT MAX_S MMSG                           UDP blaster until stdin EOF
 *   ref rr        WARMUP_MS DURATION_MS tcp|unix lock|epoll PAIRS   64 B request/response
 *   ref bulk      WARMUP_MS DURATION_MS tcp|unix [loop]     64 KiB writes, one thread, poll()
 *   ref accept    MAX_S                                     TCP accept+close server until stdin EOF
 *   ref echo      MAX_S                                     UDP echo server until stdin EOF / 2 s idle
 *   ref ping      PORT WARMUP_MS DURATION_MS                UDP ping-pong client (latency)
 *   ref drain     WARM COUNT MMSG                           receive WARM, then COUNT timed, queued on fd 3
 *   ref tcpecho   MAX_S                                     TCP echo server for bench/scale.ts (commands on stdin)
 *
 * Each prints one JSON line with its result, as the TypeScript contenders report theirs:
 * {"rate":units/s,"cpuUs":per unit[,"meanUs","p99Us"]}.
 * Every blocking receive has a 2 s SO_RCVTIMEO; every program has a time limit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define CHUNK (64 * 1024)
#define MAXLAT (4 << 20)

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

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void rcvtimeo(int fd) {
  struct timeval tv = {2, 0};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) die("SO_RCVTIMEO");
}

static int udp_bound(struct sockaddr_in *sa, int port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = htons(port);
  sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)sa, sizeof *sa) < 0) die("bind");
  socklen_t l = sizeof *sa;
  getsockname(fd, (struct sockaddr *)sa, &l);
  return fd;
}

/* The measurement window: [start, end) after the warm-up; CPU time at the first tick in it
 * and at the first tick after it. */
struct win {
  double start, end, cpu0, cpu1;
  long long count, count1;
  double *lat;
  long long nlat;
};

static void win_init(struct win *w, double warmup, double duration) {
  memset(w, 0, sizeof *w);
  w->start = now_ms() + warmup;
  w->end = w->start + duration;
  w->cpu0 = w->cpu1 = -1;
}

/* Records n units done at time t; returns 0 once the window is over. */
static int win_tick(struct win *w, double t, long long n) {
  if (t >= w->end) {
    if (w->cpu1 < 0) {
      w->cpu1 = cpu_us();
      w->count1 = w->count;
    }
    return 0;
  }
  if (t >= w->start) {
    if (w->cpu0 < 0) w->cpu0 = cpu_us();
    w->count += n;
  }
  return 1;
}

static void win_lat(struct win *w, double t, double t0) {
  if (t >= w->start && t < w->end && w->lat && w->nlat < MAXLAT) w->lat[w->nlat++] = (t - t0) * 1e3;
}

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void win_print(struct win *w, double duration) {
  double cpu = (w->cpu0 >= 0 && w->cpu1 >= 0 && w->count1 > 0) ? (w->cpu1 - w->cpu0) / w->count1 : -1;
  printf("{\"rate\":%.3f,\"count\":%lld", w->count / (duration / 1e3), w->count);
  if (cpu >= 0) printf(",\"cpuUs\":%.6g", cpu);
  if (w->lat && w->nlat > 0) {
    double sum = 0;
    for (long long i = 0; i < w->nlat; i++) sum += w->lat[i];
    qsort(w->lat, w->nlat, sizeof(double), cmpd);
    long long k = (long long)(0.99 * (w->nlat - 1));
    printf(",\"meanUs\":%.3f,\"p99Us\":%.3f", sum / w->nlat, w->lat[k]);
  }
  printf("}\n");
  fflush(stdout);
}

/* ---- 1. sync sendto + recvfrom pair, lockstep, one process ---- */
static int do_pair(double warmup, double duration) {
  struct sockaddr_in a, b, from;
  int fa = udp_bound(&a, 0), fb = udp_bound(&b, 0);
  rcvtimeo(fa);
  rcvtimeo(fb);
  char buf[2048], msg[MSG];
  memset(msg, 'p', sizeof msg);
  struct win w;
  win_init(&w, warmup, duration);
  /* The clock is read every 64 pairs (ours does the same). */
  for (;;) {
    for (int i = 0; i < 64; i++) {
      if (sendto(fa, msg, MSG, 0, (struct sockaddr *)&b, sizeof b) != MSG) die("sendto");
      socklen_t fl = sizeof from;
      if (recvfrom(fb, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) != MSG) die("recvfrom");
    }
    if (!win_tick(&w, now_ms(), 64)) break;
  }
  win_print(&w, duration);
  return 0;
}

/* ---- 2a. UDP bursts in one process: send BURST datagrams to a second socket, receive them ---- */
static int do_udp1p(double warmup, double duration, int burst, int mmsg) {
  struct sockaddr_in a, b, from;
  int fa = udp_bound(&a, 0), fb = udp_bound(&b, 0);
  rcvtimeo(fb);
  if (connect(fa, (struct sockaddr *)&b, sizeof b) < 0) die("connect");
  static char sbuf[1024][MSG], rbuf[1024][2048];
  static struct mmsghdr sm[1024], rm[1024];
  static struct iovec siov[1024], riov[1024];
  if (burst < 1 || burst > 1024) return 2;
  for (int i = 0; i < burst; i++) {
    memset(sbuf[i], 'u', MSG);
    siov[i].iov_base = sbuf[i];
    siov[i].iov_len = MSG;
    sm[i].msg_hdr.msg_iov = &siov[i];
    sm[i].msg_hdr.msg_iovlen = 1;
    riov[i].iov_base = rbuf[i];
    riov[i].iov_len = 2048;
    rm[i].msg_hdr.msg_iov = &riov[i];
    rm[i].msg_hdr.msg_iovlen = 1;
  }
  struct win w;
  win_init(&w, warmup, duration);
  do {
    if (mmsg) {
      for (int sent = 0; sent < burst;) {
        int n = sendmmsg(fa, sm + sent, burst - sent, 0);
        if (n < 0) die("sendmmsg");
        sent += n;
      }
      for (int got = 0; got < burst;) {
        int n = recvmmsg(fb, rm, burst - got, MSG_WAITFORONE, NULL);
        if (n < 0) die("recvmmsg");
        got += n;
      }
    } else {
      for (int i = 0; i < burst; i++)
        if (send(fa, sbuf[i], MSG, 0) != MSG) die("send");
      for (int i = 0; i < burst; i++) {
        socklen_t fl = sizeof from;
        if (recvfrom(fb, rbuf[0], 2048, 0, (struct sockaddr *)&from, &fl) != MSG) die("recvfrom");
      }
    }
  } while (win_tick(&w, now_ms(), burst));
  win_print(&w, duration);
  return 0;
}

/* ---- 2b. UDP across two processes: receiver and blaster ---- */
static int do_udprecv(double warmup, double duration, int mmsg) {
  struct sockaddr_in a;
  int fd = udp_bound(&a, 0);
  int rcvbuf = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  rcvtimeo(fd);
  printf("{\"port\":%d}\n", ntohs(a.sin_port));
  fflush(stdout);
  static char rbuf[64][2048];
  static struct mmsghdr rm[64];
  static struct iovec riov[64];
  for (int i = 0; i < 64; i++) {
    riov[i].iov_base = rbuf[i];
    riov[i].iov_len = 2048;
    rm[i].msg_hdr.msg_iov = &riov[i];
    rm[i].msg_hdr.msg_iovlen = 1;
  }
  struct win w;
  int first = 1;
  for (;;) {
    int n;
    if (mmsg) {
      n = recvmmsg(fd, rm, 64, MSG_WAITFORONE, NULL);
    } else {
      n = recv(fd, rbuf[0], 2048, 0) < 0 ? -1 : 1;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      die("udprecv");
    }
    double t = now_ms();
    if (first) {
      first = 0;
      win_init(&w, warmup, duration);
    }
    if (!win_tick(&w, t, n)) break;
  }
  win_print(&w, duration);
  return 0;
}

static int stdin_eof(void) {
  struct pollfd p = {0, POLLIN, 0};
  if (poll(&p, 1, 0) > 0) {
    char c[64];
    ssize_t n = read(0, c, sizeof c);
    return n <= 0;
  }
  return 0;
}

static int do_udpsend(int port, double max_s, int mmsg) {
  struct sockaddr_in a, to;
  int fd = udp_bound(&a, 0);
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
  static char msg[MSG];
  memset(msg, 's', sizeof msg);
  static struct mmsghdr sm[64];
  static struct iovec siov[64];
  for (int i = 0; i < 64; i++) {
    siov[i].iov_base = msg;
    siov[i].iov_len = MSG;
    sm[i].msg_hdr.msg_iov = &siov[i];
    sm[i].msg_hdr.msg_iovlen = 1;
  }
  double deadline = now_ms() + max_s * 1e3;
  for (unsigned it = 0;; it++) {
    if ((it & 63) == 0 && (stdin_eof() || now_ms() > deadline)) break;
    if (mmsg) {
      if (sendmmsg(fd, sm, 64, 0) < 0 && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED && errno != EINTR) die("sendmmsg");
    } else {
      for (int i = 0; i < 64; i++)
        if (send(fd, msg, MSG, 0) < 0 && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED && errno != EINTR) die("send");
    }
  }
  return 0;
}

/* ---- 3. stream request/response, one process ---- */
static int listener(int tcp, char *path, struct sockaddr_storage *ss, socklen_t *sl) {
  int lfd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
  if (lfd < 0) die("socket");
  if (tcp) {
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in *sa = (struct sockaddr_in *)ss;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *sl = sizeof *sa;
    if (bind(lfd, (struct sockaddr *)sa, *sl) < 0) die("bind");
    getsockname(lfd, (struct sockaddr *)sa, sl);
  } else {
    struct sockaddr_un *su = (struct sockaddr_un *)ss;
    memset(su, 0, sizeof *su);
    su->sun_family = AF_UNIX;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(path, 100, "%s/bsock-bench-c-%d.sock", tmp, getpid());
    strcpy(su->sun_path, path);
    unlink(path);
    *sl = sizeof *su;
    if (bind(lfd, (struct sockaddr *)su, *sl) < 0) die("bind");
  }
  if (listen(lfd, 511) < 0) die("listen");
  return lfd;
}

static void nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void read_exactly(int fd, char *buf, int n) {
  int got = 0;
  while (got < n) {
    ssize_t k = recv(fd, buf + got, n - got, 0);
    if (k <= 0) die("recv");
    got += k;
  }
}

static int do_rr(int tcp, double warmup, double duration, int epoll_mode, int pairs) {
  char path[128] = "";
  struct sockaddr_storage ss;
  socklen_t sl;
  int lfd = listener(tcp, path, &ss, &sl);
  if (pairs < 1 || pairs > 256) return 2;
  if (!epoll_mode) pairs = 1;
  int cl[256], sv[256];
  for (int i = 0; i < pairs; i++) {
    cl[i] = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
    if (connect(cl[i], (struct sockaddr *)&ss, sl) < 0) die("connect");
    sv[i] = accept(lfd, NULL, NULL);
    if (sv[i] < 0) die("accept");
    if (tcp) { nodelay(cl[i]); nodelay(sv[i]); }
    rcvtimeo(cl[i]);
    rcvtimeo(sv[i]);
  }
  struct win w;
  win_init(&w, warmup, duration);
  w.lat = malloc(sizeof(double) * MAXLAT);
  char req[MSG], buf[CHUNK];
  memset(req, 'a', sizeof req);
  if (!epoll_mode) {
    /* lockstep: one thread drives both ends (as the sync API's row does) */
    for (;;) {
      double t0 = now_ms();
      if (send(cl[0], req, MSG, 0) != MSG) die("send");
      read_exactly(sv[0], buf, MSG);
      if (send(sv[0], buf, MSG, 0) != MSG) die("send");
      read_exactly(cl[0], buf, MSG);
      double t = now_ms();
      win_lat(&w, t, t0);
      if (!win_tick(&w, t, 1)) break;
    }
  } else {
    /* epoll: every fd non-blocking, one loop serves the clients and the echo servers */
    int ep = epoll_create1(0);
    static int got[256];
    static double sent_at[256];
    int running = pairs;
    for (int i = 0; i < pairs; i++) {
      fcntl(cl[i], F_SETFL, O_NONBLOCK);
      fcntl(sv[i], F_SETFL, O_NONBLOCK);
      struct epoll_event e = {EPOLLIN, {.u32 = (uint32_t)i}};
      epoll_ctl(ep, EPOLL_CTL_ADD, cl[i], &e);
      e.data.u32 = 0x10000 | i;
      epoll_ctl(ep, EPOLL_CTL_ADD, sv[i], &e);
      sent_at[i] = now_ms();
      if (send(cl[i], req, MSG, 0) != MSG) die("send");
    }
    struct epoll_event ev[512];
    while (running > 0) {
      int n = epoll_wait(ep, ev, 512, 2000);
      if (n <= 0) { fprintf(stderr, "rr: epoll_wait %d\n", n); return 1; }
      for (int k = 0; k < n; k++) {
        int i = ev[k].data.u32 & 0xffff;
        if (ev[k].data.u32 & 0x10000) {
          for (;;) {
            ssize_t r = recv(sv[i], buf, sizeof buf, 0);
            if (r <= 0) break;
            if (send(sv[i], buf, r, 0) != r) die("echo send");
          }
        } else if (cl[i] >= 0) {
          for (;;) {
            ssize_t r = recv(cl[i], buf, MSG - got[i], 0);
            if (r <= 0) break;
            got[i] += r;
            if (got[i] < MSG) continue;
            got[i] = 0;
            double t = now_ms();
            win_lat(&w, t, sent_at[i]);
            if (win_tick(&w, t, 1)) {
              sent_at[i] = t;
              if (send(cl[i], req, MSG, 0) != MSG) die("send");
            } else {
              close(cl[i]);
              cl[i] = -1;
              running--;
            }
            break;
          }
        }
      }
    }
  }
  win_print(&w, duration);
  if (path[0]) unlink(path);
  return 0;
}

/* ---- 4. bulk: one thread, both ends non-blocking; in turn one send() of what is left of the
 * 64 KiB chunk and one recv() of up to 64 KiB (as ours, whose writer and reader take turns on
 * the event loop), poll() only when neither can go on.
 * `loop`: what any readiness-driven event loop does (libuv's, so Node's and ours): both fds
 * stay registered with one level-triggered epoll set; the writer sends until EAGAIN, then
 * epoll_wait(), then the reader receives until EAGAIN, then epoll_wait() again. The floor of
 * an event-loop design, with no JavaScript: each send wakes the epoll set, and each turn
 * costs an EAGAIN on both sides and an epoll_wait(). ---- */
static int do_bulk(int tcp, double warmup, double duration, int loop) {
  char path[128] = "";
  struct sockaddr_storage ss;
  socklen_t sl;
  int lfd = listener(tcp, path, &ss, &sl);
  int c = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
  if (connect(c, (struct sockaddr *)&ss, sl) < 0) die("connect");
  int s = accept(lfd, NULL, NULL);
  fcntl(c, F_SETFL, O_NONBLOCK);
  fcntl(s, F_SETFL, O_NONBLOCK);
  int ep = -1;
  if (loop) {
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event out = {.events = EPOLLOUT, .data.fd = c}, in = {.events = EPOLLIN, .data.fd = s};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, c, &out) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s, &in) < 0) die("epoll");
  }
  static char chunk[CHUNK], buf[CHUNK];
  memset(chunk, 'b', sizeof chunk);
  struct win w;
  win_init(&w, warmup, duration);
  int off = 0, writing = 1;
  for (;;) {
    int progress = 0;
    while (writing) {
      ssize_t n = send(c, chunk + off, CHUNK - off, 0);
      if (n <= 0) break;
      progress = 1;
      off = (off + n) % CHUNK;
      if (off == 0 && now_ms() >= w.end) {
        shutdown(c, SHUT_WR);
        writing = 0;
        if (loop) epoll_ctl(ep, EPOLL_CTL_DEL, c, NULL);
      }
      if (!loop) break;
    }
    if (loop && writing) {
      struct epoll_event ev[2];
      if (epoll_wait(ep, ev, 2, 2000) <= 0) { fprintf(stderr, "bulk: epoll timed out\n"); return 1; }
    }
    int eof = 0;
    for (;;) {
      ssize_t n = recv(s, buf, CHUNK, 0);
      if (n == 0) eof = 1;
      if (n <= 0) break;
      progress = 1;
      win_tick(&w, now_ms(), n);
      if (!loop) break;
    }
    if (eof) break;
    if (loop) {
      struct epoll_event ev[2];
      if (epoll_wait(ep, ev, 2, 2000) <= 0) { fprintf(stderr, "bulk: epoll timed out\n"); return 1; }
    } else if (!progress) {
      struct pollfd p[2] = {{c, writing ? POLLOUT : 0, 0}, {s, POLLIN, 0}};
      if (poll(p, 2, 2000) <= 0) { fprintf(stderr, "bulk: poll timed out\n"); return 1; }
    }
  }
  win_tick(&w, w.end, 0);
  win_print(&w, duration);
  if (ep >= 0) close(ep);
  if (path[0]) unlink(path);
  return 0;
}

/* ---- 5. accept + close server (the client is bench/accept-client.ts) ---- */
static int do_accept(double max_s) {
  char path[128] = "";
  struct sockaddr_storage ss;
  socklen_t sl;
  int lfd = listener(1, path, &ss, &sl);
  printf("{\"port\":%d}\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
  fflush(stdout);
  double deadline = now_ms() + max_s * 1e3, cpu0 = cpu_us();
  long long accepted = 0;
  for (;;) {
    struct pollfd p[2] = {{lfd, POLLIN, 0}, {0, POLLIN, 0}};
    if (poll(p, 2, 1000) < 0 && errno != EINTR) die("poll");
    if (p[1].revents) break; /* stdin: EOF (or anything) ends the server */
    if (now_ms() > deadline) break;
    if (p[0].revents & POLLIN) {
      int fd = accept(lfd, NULL, NULL);
      if (fd >= 0) {
        close(fd);
        accepted++;
      }
    }
  }
  printf("{\"accepted\":%lld,\"cpuUs\":%.1f}\n", accepted, cpu_us() - cpu0);
  return 0;
}

/* ---- cross-process UDP ping-pong ---- */
static int do_echo(double max_s) {
  struct sockaddr_in a, from;
  int fd = udp_bound(&a, 0);
  rcvtimeo(fd);
  printf("{\"port\":%d}\n", ntohs(a.sin_port));
  fflush(stdout);
  char buf[2048];
  double deadline = now_ms() + max_s * 1e3;
  for (;;) {
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    if (n < 0) break; /* 2 s without a datagram: the client is gone */
    if (n == 1 && buf[0] == 'q') break;
    sendto(fd, buf, n, 0, (struct sockaddr *)&from, fl);
    if (now_ms() > deadline) break;
  }
  return 0;
}

static int do_ping(int port, double warmup, double duration) {
  struct sockaddr_in a, to;
  int fd = udp_bound(&a, 0);
  rcvtimeo(fd);
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
  char msg[MSG], buf[2048];
  memset(msg, 'x', sizeof msg);
  struct win w;
  win_init(&w, warmup, duration);
  w.lat = malloc(sizeof(double) * MAXLAT);
  for (;;) {
    double t0 = now_ms();
    if (send(fd, msg, MSG, 0) != MSG) die("send");
    if (recv(fd, buf, sizeof buf, 0) != MSG) die("recv");
    double t = now_ms();
    win_lat(&w, t, t0);
    if (!win_tick(&w, t, 1)) break;
  }
  send(fd, "q", 1, 0);
  win_print(&w, duration);
  return 0;
}

/* ---- UDP drain: the parent (bench/drain.ts) queued WARM + COUNT datagrams on the socket it
 * passed as fd 3, then stopped sending. WARM are received untimed, then only the receive loop
 * of the next COUNT is timed. MMSG 0: one recvfrom() per datagram, with the sender's address,
 * as a plain C receiver does; 1: recvmmsg() of 64 with addresses (what a batch receiver in C
 * reaches). MSG_DONTWAIT: a queue that held fewer fails at once. */
static char dbuf[64][2048];
static struct sockaddr_in dfrom[64];
static struct mmsghdr dm[64];
static struct iovec diov[64];

/* Receives n datagrams from fd 3; returns their bytes. */
static long long drain_n(long long n, int mmsg) {
  long long got = 0, bytes = 0;
  while (got < n) {
    int k = 1;
    if (mmsg) {
      for (int i = 0; i < 64; i++) dm[i].msg_hdr.msg_namelen = sizeof dfrom[i];
      k = recvmmsg(3, dm, n - got < 64 ? (unsigned)(n - got) : 64, MSG_DONTWAIT, NULL);
      for (int i = 0; i < k; i++) bytes += dm[i].msg_len;
    } else {
      socklen_t fl = sizeof dfrom[0];
      ssize_t r = recvfrom(3, dbuf[0], sizeof dbuf[0], MSG_DONTWAIT, (struct sockaddr *)&dfrom[0], &fl);
      if (r >= 0) bytes += r;
      else k = -1;
    }
    if (k < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "drain: after %lld of %lld datagrams: ", got, n);
      die(mmsg ? "recvmmsg" : "recvfrom");
    }
    got += k;
  }
  return bytes;
}

static int do_drain(long long warm, long long count, int mmsg) {
  for (int i = 0; i < 64; i++) {
    diov[i].iov_base = dbuf[i];
    diov[i].iov_len = sizeof dbuf[i];
    dm[i].msg_hdr.msg_iov = &diov[i];
    dm[i].msg_hdr.msg_iovlen = 1;
    dm[i].msg_hdr.msg_name = &dfrom[i];
  }
  if (drain_n(warm, mmsg) != warm * MSG) die("drain: warm-up lengths");
  double c0 = cpu_us(), t0 = now_ms();
  long long bytes = drain_n(count, mmsg);
  double t1 = now_ms(), c1 = cpu_us();
  if (bytes != count * MSG) { fprintf(stderr, "drain: %lld bytes in %lld datagrams\n", bytes, count); return 1; }
  if (recv(3, dbuf[0], sizeof dbuf[0], MSG_DONTWAIT) >= 0 || errno != EAGAIN) die("drain: the queue held more than WARM + COUNT");
  printf("{\"rate\":%.1f,\"cpuUs\":%.6g}\n", count / ((t1 - t0) / 1e3), (c1 - c0) / count);
  return 0;
}

/* ---- 11. TCP echo server for bench/scale.ts: one thread, level-triggered epoll over the
 * listener, stdin and every connection; on readiness one recv() of up to 1 KiB and the same
 * bytes sent back (as ours and Node's servers: one read per readiness event, echo, wait
 * again). Prints {"port"} first; each stdin line "stat" is answered with
 * {"accepted","closed","cpuUs","rss"} (rss in bytes, from /proc/self/statm); EOF or "exit"
 * ends it; MAX_S bounds its life. ---- */
static long rss_bytes(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL) return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

static int do_tcpecho(double max_s) {
  char path[128] = "";
  struct sockaddr_storage ss;
  socklen_t sl;
  int lfd = listener(1, path, &ss, &sl);
  if (listen(lfd, 4096) < 0) die("listen");
  fcntl(lfd, F_SETFL, O_NONBLOCK);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) die("epoll_ctl listener");
  ev.data.fd = 0;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) < 0) die("epoll_ctl stdin");
  printf("{\"port\":%d}\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
  fflush(stdout);
  double deadline = now_ms() + max_s * 1e3;
  long long accepted = 0, closed = 0;
  char buf[1024], line[64];
  size_t linelen = 0;
  static struct epoll_event evs[256];
  for (;;) {
    if (now_ms() > deadline) { fprintf(stderr, "tcpecho: time limit\n"); return 1; }
    int n = epoll_wait(ep, evs, 256, 1000);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == lfd) {
        for (;;) {
          int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) {
            if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) break;
            die("accept4");
          }
          int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
          if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce) < 0) die("epoll_ctl conn");
          accepted++;
        }
      } else if (fd == 0) {
        ssize_t k = read(0, line + linelen, sizeof line - 1 - linelen);
        if (k <= 0) return 0; /* EOF: the parent is done */
        linelen += (size_t)k;
        line[linelen] = 0;
        char *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
          *nl = 0;
          if (!strcmp(line, "exit")) return 0;
          if (!strcmp(line, "stat")) {
            printf("{\"accepted\":%lld,\"closed\":%lld,\"cpuUs\":%.0f,\"rss\":%ld}\n", accepted, closed, cpu_us(), rss_bytes());
            fflush(stdout);
          }
          size_t rest = linelen - (size_t)(nl + 1 - line);
          memmove(line, nl + 1, rest + 1);
          linelen = rest;
        }
        if (linelen == sizeof line - 1) linelen = 0; /* an overlong line: dropped */
      } else {
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (k <= 0) {
          close(fd); /* also leaves the epoll set */
          closed++;
          continue;
        }
        for (ssize_t off = 0; off < k;) {
          ssize_t w = send(fd, buf + off, (size_t)(k - off), MSG_NOSIGNAL);
          if (w > 0) { off += w; continue; }
          if (w < 0 && errno == EINTR) continue;
          if (w < 0 && errno == EAGAIN) {
            struct pollfd p = {fd, POLLOUT, 0};
            if (poll(&p, 1, 2000) <= 0) die("tcpecho: send buffer stayed full");
            continue;
          }
          die("tcpecho: send");
        }
      }
    }
  }
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
#define A(i) (argc > (i) ? atof(argv[i]) : 0)
  if (!strcmp(m, "pair") && argc == 4) return do_pair(A(2), A(3));
  if (!strcmp(m, "udp1p") && argc == 6) return do_udp1p(A(2), A(3), (int)A(4), (int)A(5));
  if (!strcmp(m, "udprecv") && argc == 5) return do_udprecv(A(2), A(3), (int)A(4));
  if (!strcmp(m, "udpsend") && argc == 5) return do_udpsend((int)A(2), A(3), (int)A(4));
  if (!strcmp(m, "rr") && argc == 7) return do_rr(!strcmp(argv[4], "tcp"), A(2), A(3), !strcmp(argv[5], "epoll"), (int)A(6));
  if (!strcmp(m, "bulk") && (argc == 5 || (argc == 6 && !strcmp(argv[5], "loop"))))
    return do_bulk(!strcmp(argv[4], "tcp"), A(2), A(3), argc == 6);
  if (!strcmp(m, "accept") && argc == 3) return do_accept(A(2));
  if (!strcmp(m, "echo") && argc == 3) return do_echo(A(2));
  if (!strcmp(m, "ping") && argc == 5) return do_ping((int)A(2), A(3), A(4));
  if (!strcmp(m, "tcpecho") && argc == 3) return do_tcpecho(A(2));
  if (!strcmp(m, "drain") && argc == 5) return do_drain((long long)A(2), (long long)A(3), (int)A(4));
  fprintf(stderr, "usage: see the comment at the top of bench/c/ref.c\n");
  return 2;
}
