/*
 * The fault injector: a bad network link between the client and the server, in user space, with
 * NFQUEUE (no kernel module beyond netfilter's queue, which these kernels have built in; `sch_netem`
 * is missing).
 *
 * iptables in the client's network namespace hands every TCP packet to or from the server port to one
 * of two queues: the uplink (client -> server) and the downlink (server -> client). Each direction
 * models a link, applied to every packet in this order:
 *   blackhole  every packet is dropped (and the packets the link still held are lost too);
 *   loss       each packet is dropped with this probability (percent);
 *   rate       a bottleneck of this many kbit/s: packets leave it one after the other, each taking
 *              its length in bits divided by the rate; more than `limit` packets waiting for the
 *              bottleneck and the newcomer is dropped (a router's tail drop);
 *   delay      then each packet is held this many milliseconds more, plus a uniform jitter in
 *              [-jitter, +jitter]; packets of one direction never overtake each other (a link, not a
 *              mesh of paths), so a packet is released no earlier than the one before it.
 * The verdict (accept or drop) is given when the packet is released.
 *
 * Usage: injector --up QUEUE --down QUEUE [--seed N]
 * Commands on stdin, one a line; every answer is one line on stdout:
 *   set up|down|both key=value ...   keys: delay jitter (ms), loss (percent), rate (kbit/s, 0 = no limit),
 *                                    limit (packets), blackhole (0|1); unnamed keys keep their value
 *                                    -> "ok"
 *   clear                            every key of both directions back to a perfect link -> "ok"
 *   stats                            -> "stats up passed=N lost=N blackholed=N overflowed=N held=N
 *                                        down passed=N ..."
 *   quit                             releases every held packet and exits
 * On start, once both queues are bound, it prints "ready". Held packets are released (accepted) when
 * it exits; packets of a queue without a listener pass (iptables --queue-bypass), so a stopped
 * injector never leaves the namespace unreachable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

/* A packet is copied only as far as its IPv4 header's total length field. */
enum { COPY_BYTES = 4, IPV4_TOTAL_LENGTH_AT = 2 };
/* The kernel's own queue: packets waiting for our verdict. Far above anything `limit` lets through. */
enum { KERNEL_QUEUE_PACKETS = 65536 };
enum { RECEIVE_BUFFER_BYTES = 8 << 20 };
enum { LINE_BYTES = 512 };
enum { DEFAULT_LIMIT_PACKETS = 1000 };

typedef int64_t usec;

struct held {
    uint32_t id;
    usec leaves_bottleneck;
    usec release;
};

struct link {
    const char *name;
    struct nfq_q_handle *queue;
    /* settings */
    double delay_ms, jitter_ms, loss_percent, rate_kbit;
    long limit;
    int blackhole;
    /* state: a FIFO ring of held packets */
    struct held *ring;
    size_t cap, head, len;
    usec bottleneck_free, last_release;
    /* counters */
    uint64_t passed, lost, blackholed, overflowed;
};

static struct link up = { .name = "up", .limit = DEFAULT_LIMIT_PACKETS };
static struct link down = { .name = "down", .limit = DEFAULT_LIMIT_PACKETS };
static volatile sig_atomic_t stopping;

static usec now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (usec)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* xorshift64*: reproducible with --seed */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static double uniform01(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545f4914f6cdd1dULL) >> 11) / (double)(1ULL << 53);
}

static void verdict(struct link *l, uint32_t id, int accept) {
    nfq_set_verdict(l->queue, id, accept ? NF_ACCEPT : NF_DROP, 0, NULL);
}

static struct held *at(struct link *l, size_t i) {
    return &l->ring[(l->head + i) % l->cap];
}

static void push(struct link *l, struct held h) {
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct held *ring = malloc(cap * sizeof *ring);
        if (!ring) {
            perror("injector: malloc");
            exit(1);
        }
        for (size_t i = 0; i < l->len; i++) ring[i] = *at(l, i);
        free(l->ring);
        l->ring = ring;
        l->cap = cap;
        l->head = 0;
    }
    *at(l, l->len) = h;
    l->len++;
}

static struct held pop(struct link *l) {
    struct held h = *at(l, 0);
    l->head = (l->head + 1) % l->cap;
    l->len--;
    return h;
}

/* Packets still waiting for the bottleneck at `now`. */
static long waiting_for_bottleneck(struct link *l, usec now) {
    long n = 0;
    for (size_t i = l->len; i > 0; i--) {
        if (at(l, i - 1)->leaves_bottleneck <= now) break;
        n++;
    }
    return n;
}

static void arrive(struct link *l, uint32_t id, size_t bytes) {
    usec now = now_us();
    if (l->blackhole) {
        l->blackholed++;
        verdict(l, id, 0);
        return;
    }
    if (l->loss_percent > 0 && uniform01() * 100.0 < l->loss_percent) {
        l->lost++;
        verdict(l, id, 0);
        return;
    }
    usec leaves = now;
    if (l->rate_kbit > 0) {
        if (waiting_for_bottleneck(l, now) >= l->limit) {
            l->overflowed++;
            verdict(l, id, 0);
            return;
        }
        usec start = l->bottleneck_free > now ? l->bottleneck_free : now;
        /* bits / (kbit/s) = ms; times 1000 for microseconds */
        leaves = start + (usec)((double)bytes * 8.0 * 1000.0 / l->rate_kbit);
        l->bottleneck_free = leaves;
    }
    double jitter = l->jitter_ms > 0 ? (uniform01() * 2.0 - 1.0) * l->jitter_ms : 0.0;
    double extra_ms = l->delay_ms + jitter;
    usec release = leaves + (usec)((extra_ms > 0 ? extra_ms : 0) * 1000.0);
    if (release < l->last_release) release = l->last_release;
    l->last_release = release;
    if (release <= now && l->len == 0) {
        l->passed++;
        verdict(l, id, 1);
        return;
    }
    push(l, (struct held){ .id = id, .leaves_bottleneck = leaves, .release = release });
}

static void release_due(struct link *l, usec now) {
    while (l->len > 0 && at(l, 0)->release <= now) {
        struct held h = pop(l);
        l->passed++;
        verdict(l, h.id, 1);
    }
}

static void drop_held(struct link *l) {
    while (l->len > 0) {
        struct held h = pop(l);
        l->blackholed++;
        verdict(l, h.id, 0);
    }
    l->bottleneck_free = 0;
    l->last_release = 0;
}

static void release_all(struct link *l) {
    while (l->len > 0) {
        struct held h = pop(l);
        verdict(l, h.id, 1);
    }
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
    (void)qh;
    (void)msg;
    struct link *l = data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph) return 0;
    uint32_t id = ntohl(ph->packet_id);
    unsigned char *payload = NULL;
    int got = nfq_get_payload(nfa, &payload);
    size_t bytes = 0;
    if (got >= COPY_BYTES) bytes = ((size_t)payload[IPV4_TOTAL_LENGTH_AT] << 8) | payload[IPV4_TOTAL_LENGTH_AT + 1];
    arrive(l, id, bytes);
    return 0;
}

static struct link *pick(const char *name, struct link **second) {
    *second = NULL;
    if (strcmp(name, "up") == 0) return &up;
    if (strcmp(name, "down") == 0) return &down;
    if (strcmp(name, "both") == 0) {
        *second = &down;
        return &up;
    }
    return NULL;
}

static int apply(struct link *l, const char *key, const char *value) {
    char *end = NULL;
    double v = strtod(value, &end);
    if (end == value || *end != '\0' || v < 0) return -1;
    if (strcmp(key, "delay") == 0) l->delay_ms = v;
    else if (strcmp(key, "jitter") == 0) l->jitter_ms = v;
    else if (strcmp(key, "loss") == 0 && v <= 100) l->loss_percent = v;
    else if (strcmp(key, "rate") == 0) l->rate_kbit = v;
    else if (strcmp(key, "limit") == 0 && v >= 1) l->limit = (long)v;
    else if (strcmp(key, "blackhole") == 0 && (v == 0 || v == 1)) {
        l->blackhole = (int)v;
        if (l->blackhole) drop_held(l);
    } else return -1;
    return 0;
}

static void print_link(struct link *l) {
    printf("%s passed=%" PRIu64 " lost=%" PRIu64 " blackholed=%" PRIu64 " overflowed=%" PRIu64 " held=%zu", l->name,
           l->passed, l->lost, l->blackholed, l->overflowed, l->len);
}

static void command(char *line) {
    line[strcspn(line, "\r\n")] = '\0';
    char *save = NULL;
    char *word = strtok_r(line, " ", &save);
    if (!word) return;
    if (strcmp(word, "set") == 0) {
        struct link *second;
        char *dir = strtok_r(NULL, " ", &save);
        struct link *l = dir ? pick(dir, &second) : NULL;
        if (!l) {
            printf("error: set needs up, down or both\n");
            return;
        }
        char *pair;
        while ((pair = strtok_r(NULL, " ", &save))) {
            char *eq = strchr(pair, '=');
            if (!eq) {
                printf("error: %s is not key=value\n", pair);
                return;
            }
            *eq = '\0';
            if (apply(l, pair, eq + 1) != 0 || (second && apply(second, pair, eq + 1) != 0)) {
                printf("error: bad %s=%s\n", pair, eq + 1);
                return;
            }
        }
        printf("ok\n");
    } else if (strcmp(word, "clear") == 0) {
        struct link *both[] = { &up, &down };
        for (int i = 0; i < 2; i++) {
            both[i]->delay_ms = both[i]->jitter_ms = both[i]->loss_percent = both[i]->rate_kbit = 0;
            both[i]->limit = DEFAULT_LIMIT_PACKETS;
            both[i]->blackhole = 0;
        }
        printf("ok\n");
    } else if (strcmp(word, "stats") == 0) {
        printf("stats ");
        print_link(&up);
        printf(" ");
        print_link(&down);
        printf("\n");
    } else if (strcmp(word, "quit") == 0) {
        stopping = 1;
    } else {
        printf("error: unknown command %s\n", word);
    }
}

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static struct nfq_q_handle *bind_queue(struct nfq_handle *h, long num, struct link *l) {
    struct nfq_q_handle *q = nfq_create_queue(h, (uint16_t)num, on_packet, l);
    if (!q) {
        fprintf(stderr, "injector: cannot bind queue %ld (another listener? not root?)\n", num);
        exit(1);
    }
    if (nfq_set_mode(q, NFQNL_COPY_PACKET, COPY_BYTES) < 0 || nfq_set_queue_maxlen(q, KERNEL_QUEUE_PACKETS) < 0) {
        fprintf(stderr, "injector: cannot configure queue %ld\n", num);
        exit(1);
    }
    return q;
}

static usec next_release(void) {
    usec t = -1;
    if (up.len) t = at(&up, 0)->release;
    if (down.len && (t < 0 || at(&down, 0)->release < t)) t = at(&down, 0)->release;
    return t;
}

int main(int argc, char **argv) {
    long up_num = -1, down_num = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--up") == 0) up_num = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--down") == 0) down_num = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0) rng_state = strtoull(argv[i + 1], NULL, 10) | 1;
    }
    if (up_num < 0 || down_num < 0 || up_num == down_num) {
        fprintf(stderr, "usage: injector --up QUEUE --down QUEUE [--seed N]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);

    struct nfq_handle *h = nfq_open();
    if (!h) {
        perror("injector: nfq_open");
        return 1;
    }
    up.queue = bind_queue(h, up_num, &up);
    down.queue = bind_queue(h, down_num, &down);
    int fd = nfq_fd(h);
    nfnl_rcvbufsiz(nfq_nfnlh(h), RECEIVE_BUFFER_BYTES);
    printf("ready\n");

    char buf[65536] __attribute__((aligned));
    char line[LINE_BYTES];
    size_t line_len = 0;
    int stdin_open = 1;
    while (!stopping) {
        usec now = now_us();
        release_due(&up, now);
        release_due(&down, now);
        usec next = next_release();
        int timeout_ms = next < 0 ? 1000 : (int)((next - now + 999) / 1000);
        if (timeout_ms < 0) timeout_ms = 0;
        struct pollfd fds[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = stdin_open ? POLLIN : 0 } };
        int n = poll(fds, 2, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("injector: poll");
            break;
        }
        if (fds[0].revents & POLLIN) {
            int rv = (int)recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (rv > 0) nfq_handle_packet(h, buf, rv);
            else if (rv < 0 && errno == ENOBUFS) fprintf(stderr, "injector: the kernel dropped queue messages (ENOBUFS)\n");
        }
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            ssize_t r = read(0, line + line_len, sizeof line - 1 - line_len);
            if (r <= 0) {
                stdin_open = 0;
                stopping = 1;
                continue;
            }
            line_len += (size_t)r;
            line[line_len] = '\0';
            char *nl;
            while ((nl = memchr(line, '\n', line_len))) {
                *nl = '\0';
                command(line);
                size_t used = (size_t)(nl - line) + 1;
                memmove(line, nl + 1, line_len - used);
                line_len -= used;
                line[line_len] = '\0';
            }
            if (line_len == sizeof line - 1) line_len = 0; /* an overlong line is discarded */
        }
    }
    release_all(&up);
    release_all(&down);
    nfq_destroy_queue(up.queue);
    nfq_destroy_queue(down.queue);
    nfq_close(h);
    return 0;
}
