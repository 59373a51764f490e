// A TCP proxy that delays every byte by a fixed time, each way: PostgreSQL as if on another machine, for
// scripts/bench/scale_network (tc netem is not available in every container). Single-threaded: poll() for input,
// ppoll()'s nanosecond timeout for the next chunk due. Usage: delay_proxy LISTEN_PORT TARGET_PORT DELAY_US
// (127.0.0.1 both). Bench tooling only: no limits, and a connection whose peer goes away is closed with its pair.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { max_conns = 512, buffer = 65536 };

struct chunk {
  uint64_t due;
  size_t len;
  struct chunk* next;
  char data[];
};
struct direction {
  int from, to;
  struct chunk *head, *tail;
};
struct pair {
  int used;
  struct direction way[2];  // 0: client to server, 1: server to client
};

static struct pair pairs[max_conns];
static uint64_t delay_ns;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void close_pair(struct pair* p) {
  for (int w = 0; w < 2; ++w) {
    while (p->way[w].head) {
      struct chunk* c = p->way[w].head;
      p->way[w].head = c->next;
      free(c);
    }
    p->way[w].tail = NULL;
  }
  close(p->way[0].from);
  close(p->way[0].to);
  p->used = 0;
}

static int write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(fd, (struct sockaddr*)&a, sizeof a) != 0 || listen(fd, 128) != 0) {
    perror("delay_proxy: listen");
    exit(1);
  }
  return fd;
}

static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: delay_proxy LISTEN_PORT TARGET_PORT DELAY_US\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const int target = atoi(argv[2]);
  delay_ns = (uint64_t)atoll(argv[3]) * 1000u;
  const int lfd = listen_on(atoi(argv[1]));
  static struct pollfd fds[1 + 2 * max_conns];
  static int owner[1 + 2 * max_conns], side[1 + 2 * max_conns];
  static char buf[buffer];
  for (;;) {
    int n = 0;
    fds[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
    uint64_t next_due = UINT64_MAX;
    for (int i = 0; i < max_conns; ++i) {
      if (!pairs[i].used) continue;
      for (int w = 0; w < 2; ++w) {
        owner[n] = i;
        side[n] = w;
        fds[n++] = (struct pollfd){.fd = pairs[i].way[w].from, .events = POLLIN};
        if (pairs[i].way[w].head && pairs[i].way[w].head->due < next_due) next_due = pairs[i].way[w].head->due;
      }
    }
    struct timespec timeout, *tp = NULL;
    if (next_due != UINT64_MAX) {
      const uint64_t t = now_ns();
      const uint64_t wait = next_due > t ? next_due - t : 0;
      timeout.tv_sec = (time_t)(wait / 1000000000u);
      timeout.tv_nsec = (long)(wait % 1000000000u);
      tp = &timeout;
    }
    if (ppoll(fds, (nfds_t)n, tp, NULL) < 0 && errno != EINTR) {
      perror("delay_proxy: ppoll");
      return 1;
    }
    const uint64_t t = now_ns();
    if (fds[0].revents & POLLIN) {
      int c = accept(lfd, NULL, NULL);
      int s = c >= 0 ? connect_to(target) : -1;
      int slot = -1;
      for (int i = 0; i < max_conns && slot < 0; ++i)
        if (!pairs[i].used) slot = i;
      if (c >= 0 && (s < 0 || slot < 0)) {
        close(c);
        if (s >= 0) close(s);
      } else if (c >= 0) {
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pairs[slot] = (struct pair){.used = 1, .way = {{.from = c, .to = s}, {.from = s, .to = c}}};
      }
    }
    for (int k = 1; k < n; ++k) {
      struct pair* p = &pairs[owner[k]];
      if (!p->used || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      struct direction* d = &p->way[side[k]];
      ssize_t got = read(d->from, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        close_pair(p);
        continue;
      }
      struct chunk* c = malloc(sizeof *c + (size_t)got);
      c->due = t + delay_ns;
      c->len = (size_t)got;
      c->next = NULL;
      memcpy(c->data, buf, (size_t)got);
      if (d->tail) d->tail->next = c; else d->head = c;
      d->tail = c;
    }
    const uint64_t after = now_ns();
    for (int i = 0; i < max_conns; ++i) {
      struct pair* p = &pairs[i];
      for (int w = 0; w < 2 && p->used; ++w) {
        struct direction* d = &p->way[w];
        while (d->head && d->head->due <= after) {
          struct chunk* c = d->head;
          if (write_all(d->to, c->data, c->len) != 0) {
            close_pair(p);
            break;
          }
          d->head = c->next;
          if (!d->head) d->tail = NULL;
          free(c);
        }
      }
    }
  }
}
