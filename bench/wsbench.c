/*
 * wsbench: the benchmark's server and its measuring clients, in plain C.
 *
 * It is deliberately not built on wsc's code (nor on NIO): a second, minimal framing
 * implementation cannot share a bug with the client it measures, and its cost per message
 * is a few memory operations, so it is not what limits the clients (`bench/run` measures
 * its own ceiling with `blast` and prints it beside the results).
 *
 *   wsbench serve [PORT]          WebSocket server on 127.0.0.1 (0 or none: any free port).
 *                                 Prints "port N", then a JSON line when a connection opens
 *                                 ({"open": PATH}) and one when it ends (what it counted).
 *       GET /sink                 count, size and CRC-32 of what arrives; nothing sent back
 *       GET /echo                 every data frame sent back as it came (opcode, FIN kept)
 *       GET /source?n=N&size=S    N text messages of S bytes (message i starts with i in
 *                                 10 digits, then 'a'..'z' repeated), then close 1000
 *   wsbench tcp-sink [PORT]       plain TCP: read and discard; prints "port N", then one
 *                                 JSON line per connection (bytes, seconds)
 *   wsbench tcp-send PORT FILE    plain TCP: send FILE in 1 MiB writes (the loopback ceiling)
 *   wsbench blast PORT MODE N S   a minimal client at full speed against `serve` (MODE sink,
 *                                 source or echo; N messages of S bytes): the server's ceiling
 *   wsbench message I S           print message I of a /source stream (for checking)
 *
 * The server answers pings, echoes the close code, and never offers extensions, so every
 * client measured talks plain RFC 6455 to it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define BUFFER_SIZE (1 << 20)

static void die(const char *what) {
    perror(what);
    exit(1);
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double thread_cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
           usage.ru_stime.tv_usec / 1e6;
}

/* ---- SHA-1 and base64, for Sec-WebSocket-Accept only ---- */

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1(const unsigned char *data, size_t length, unsigned char out[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t padded = ((length + 8) / 64 + 1) * 64;
    unsigned char *message = calloc(padded, 1);
    memcpy(message, data, length);
    message[length] = 0x80;
    uint64_t bits = (uint64_t)length * 8;
    for (int i = 0; i < 8; i++) message[padded - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t block = 0; block < padded; block += 64) {
        uint32_t w[80];
        for (int i = 0; i < 16; i++) {
            const unsigned char *p = message + block + 4 * i;
            w[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        }
        for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
            else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
            else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6; }
            uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d; d = c; c = rol(b, 30); b = a; a = t;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
    }
    free(message);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++) out[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
}

static void base64(const unsigned char *in, size_t length, char *out) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < length; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < length ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < length ? in[i + 2] : 0);
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < length ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < length ? alphabet[v & 63] : '=';
    }
    out[o] = 0;
}

/* ---- buffered socket I/O ---- */

typedef struct {
    int fd;
    unsigned char *in;       /* received, not yet parsed: in[start..end) */
    size_t start, end;
    unsigned char *out;      /* to send */
    size_t out_length;
} Connection;

static int write_all(int fd, const unsigned char *data, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

static int flush_out(Connection *c) {
    int result = write_all(c->fd, c->out, c->out_length);
    c->out_length = 0;
    return result;
}

/* Reads more into `in` (moving what is left to the front); 0 at EOF, -1 on error. */
static ssize_t fill(Connection *c) {
    if (c->out_length > 0 && flush_out(c) < 0) return -1;
    if (c->start > 0) {
        memmove(c->in, c->in + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    if (c->end == BUFFER_SIZE) return -1; /* a header never fills a megabyte */
    ssize_t n;
    do n = read(c->fd, c->in + c->end, BUFFER_SIZE - c->end);
    while (n < 0 && errno == EINTR);
    if (n > 0) c->end += (size_t)n;
    return n;
}

static void queue(Connection *c, const unsigned char *data, size_t length) {
    if (c->out_length + length > BUFFER_SIZE && c->out_length > 0) flush_out(c);
    if (length > BUFFER_SIZE) {
        write_all(c->fd, data, length);
        return;
    }
    memcpy(c->out + c->out_length, data, length);
    c->out_length += length;
}

static size_t frame_header(unsigned char *h, int fin_opcode, uint64_t length, const unsigned char *mask) {
    size_t n = 0;
    h[n++] = (unsigned char)fin_opcode;
    unsigned char masked = mask ? 0x80 : 0;
    if (length < 126) h[n++] = masked | (unsigned char)length;
    else if (length < 65536) {
        h[n++] = masked | 126;
        h[n++] = (unsigned char)(length >> 8);
        h[n++] = (unsigned char)length;
    } else {
        h[n++] = masked | 127;
        for (int i = 7; i >= 0; i--) h[n++] = (unsigned char)(length >> (8 * i));
    }
    if (mask) {
        memcpy(h + n, mask, 4);
        n += 4;
    }
    return n;
}

static void queue_frame(Connection *c, int fin_opcode, const unsigned char *payload, uint64_t length) {
    unsigned char h[14];
    queue(c, h, frame_header(h, fin_opcode, length, NULL));
    queue(c, payload, length);
}

static void unmask(unsigned char *p, uint64_t length, const unsigned char key[4], uint64_t offset) {
    uint64_t i = 0;
    /* Bring the key into phase with `offset`, then xor 8 bytes at a time. */
    unsigned char k[8];
    for (int j = 0; j < 8; j++) k[j] = key[(offset + j) & 3];
    uint64_t k64;
    memcpy(&k64, k, 8);
    for (; i + 8 <= length; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        v ^= k64;
        memcpy(p + i, &v, 8);
    }
    for (; i < length; i++) p[i] ^= key[(offset + i) & 3];
}

/* ---- the handshake ---- */

typedef struct {
    char path[256];
    char key[128];
} Request;

static int read_request(Connection *c, Request *r) {
    for (;;) {
        unsigned char *end = memmem(c->in + c->start, c->end - c->start, "\r\n\r\n", 4);
        if (end) {
            *end = 0;
            char *head = (char *)c->in + c->start;
            c->start = (size_t)(end + 4 - c->in);
            if (sscanf(head, "GET %255s HTTP/1.1", r->path) != 1) return -1;
            r->key[0] = 0;
            for (char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
                if (strncasecmp(line + 2, "sec-websocket-key:", 18) == 0)
                    sscanf(line + 20, " %127[^\r\n ]", r->key);
            }
            return r->key[0] ? 0 : -1;
        }
        if (fill(c) <= 0) return -1;
    }
}

static void answer_upgrade(Connection *c, const char *key) {
    char joined[256];
    snprintf(joined, sizeof joined, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    unsigned char digest[20];
    sha1((unsigned char *)joined, strlen(joined), digest);
    char accept[32];
    base64(digest, 20, accept);
    char answer[256];
    int n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    queue(c, (unsigned char *)answer, (size_t)n);
    flush_out(c);
}

static void fill_message(unsigned char *p, uint64_t index, size_t size) {
    char digits[11];
    snprintf(digits, sizeof digits, "%010llu", (unsigned long long)(index % 10000000000ULL));
    for (size_t i = 0; i < size; i++) p[i] = i < 10 ? (unsigned char)digits[i] : (unsigned char)('a' + (i - 10) % 26);
}

/* ---- serving one connection ---- */

typedef struct {
    uint64_t messages, bytes, frames;
    uLong crc;
    int close_code;
} Tally;

/*
 * Reads frames until the peer's close (answered unless `close_sent`) or EOF. `echo` sends
 * data frames back; otherwise they are counted into `tally` (unmasked, CRC-32 over the
 * payloads in order).
 */
static void read_frames(Connection *c, int echo, int close_sent, Tally *tally) {
    for (;;) {
        size_t available = c->end - c->start;
        unsigned char *h = c->in + c->start;
        if (available < 2) {
            if (fill(c) <= 0) return;
            continue;
        }
        int fin_opcode = h[0];
        int opcode = fin_opcode & 0x0F;
        int masked = h[1] & 0x80;
        uint64_t length = h[1] & 0x7F;
        size_t header = 2;
        if (length == 126) {
            if (available < 4) { if (fill(c) <= 0) return; continue; }
            length = (uint64_t)h[2] << 8 | h[3];
            header = 4;
        } else if (length == 127) {
            if (available < 10) { if (fill(c) <= 0) return; continue; }
            length = 0;
            for (int i = 0; i < 8; i++) length = length << 8 | h[2 + i];
            header = 10;
        }
        unsigned char key[4] = {0, 0, 0, 0};
        if (masked) {
            if (available < header + 4) { if (fill(c) <= 0) return; continue; }
            memcpy(key, h + header, 4);
            header += 4;
        }
        if (opcode < 8 && !echo) {
            /* Data to count: consume the payload piece by piece (it may exceed the buffer). */
            c->start += header;
            uint64_t done = 0;
            while (done < length) {
                if (c->start == c->end && fill(c) <= 0) return;
                size_t piece = c->end - c->start;
                if (piece > length - done) piece = (size_t)(length - done);
                unsigned char *p = c->in + c->start;
                if (masked) unmask(p, piece, key, done);
                tally->crc = crc32(tally->crc, p, (uInt)piece);
                c->start += piece;
                done += piece;
            }
            tally->frames++;
            tally->bytes += length;
            if (fin_opcode & 0x80) tally->messages++;
            continue;
        }
        if (length > BUFFER_SIZE - 14) return; /* echo and control frames must fit the buffer */
        if (available < header + length) {
            if (fill(c) <= 0) return;
            continue;
        }
        unsigned char *payload = h + header;
        if (masked) unmask(payload, length, key, 0);
        c->start += header + (size_t)length;
        switch (opcode) {
        case 0x8: /* close: echo the code, then wait for EOF */
            tally->close_code = length >= 2 ? payload[0] << 8 | payload[1] : 1005;
            if (!close_sent) queue_frame(c, 0x88, payload, length >= 2 ? 2 : 0);
            flush_out(c);
            shutdown(c->fd, SHUT_WR);
            while (fill(c) > 0) c->start = c->end;
            return;
        case 0x9: /* ping */
            queue_frame(c, 0x8A, payload, length);
            break;
        case 0xA:
            break;
        default: /* echo */
            queue_frame(c, fin_opcode, payload, length);
            tally->frames++;
            tally->bytes += length;
            if (fin_opcode & 0x80) tally->messages++;
            tally->crc = crc32(tally->crc, payload, (uInt)length);
            break;
        }
    }
}

static uint64_t query_number(const char *path, const char *name, uint64_t fallback) {
    const char *q = strchr(path, '?');
    size_t n = strlen(name);
    while (q) {
        q++;
        if (strncmp(q, name, n) == 0 && q[n] == '=') return strtoull(q + n + 1, NULL, 10);
        q = strchr(q, '&');
    }
    return fallback;
}

static void send_source(Connection *c, uint64_t count, size_t size, Tally *tally) {
    unsigned char *payload = malloc(size ? size : 1);
    unsigned char h[14];
    size_t header = frame_header(h, 0x81, size, NULL);
    fill_message(payload, 0, size);
    for (uint64_t i = 0; i < count; i++) {
        /* Only the leading digits change from one message to the next. */
        char digits[11];
        snprintf(digits, sizeof digits, "%010llu", (unsigned long long)(i % 10000000000ULL));
        memcpy(payload, digits, size < 10 ? size : 10);
        queue(c, h, header);
        queue(c, payload, size);
        tally->crc = crc32(tally->crc, payload, (uInt)size);
    }
    tally->messages = count;
    tally->frames = count;
    tally->bytes = count * size;
    unsigned char normal[2] = {0x03, 0xE8};
    queue_frame(c, 0x88, normal, 2);
    flush_out(c);
    free(payload);
}

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void *serve_connection(void *argument) {
    int fd = (int)(intptr_t)argument;
    double started = now_seconds();
    Connection c = {fd, malloc(BUFFER_SIZE), 0, 0, malloc(BUFFER_SIZE), 0};
    Request request;
    Tally tally = {0, 0, 0, crc32(0, NULL, 0), 0};
    if (read_request(&c, &request) == 0) {
        answer_upgrade(&c, request.key);
        pthread_mutex_lock(&print_lock);
        printf("{\"open\": \"%s\"}\n", request.path);
        fflush(stdout);
        pthread_mutex_unlock(&print_lock);
        if (strncmp(request.path, "/source", 7) == 0) {
            send_source(&c, query_number(request.path, "n", 1), (size_t)query_number(request.path, "size", 100), &tally);
            Tally ignored = {0, 0, 0, 0, 0};
            read_frames(&c, 0, 1, &ignored);
            tally.close_code = ignored.close_code;
        } else {
            read_frames(&c, strncmp(request.path, "/echo", 5) == 0, 0, &tally);
        }
        pthread_mutex_lock(&print_lock);
        printf("{\"path\": \"%s\", \"messages\": %llu, \"frames\": %llu, \"bytes\": %llu, \"crc32\": %lu, "
               "\"close\": %d, \"seconds\": %.6f, \"cpu\": %.6f}\n",
               request.path, (unsigned long long)tally.messages, (unsigned long long)tally.frames,
               (unsigned long long)tally.bytes, tally.crc, tally.close_code, now_seconds() - started,
               thread_cpu_seconds());
        fflush(stdout);
        pthread_mutex_unlock(&print_lock);
    }
    close(fd);
    free(c.in);
    free(c.out);
    return NULL;
}

static void *sink_tcp_connection(void *argument) {
    int fd = (int)(intptr_t)argument;
    unsigned char *buffer = malloc(BUFFER_SIZE);
    double started = now_seconds();
    uint64_t total = 0;
    ssize_t n;
    while ((n = read(fd, buffer, BUFFER_SIZE)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) total += (uint64_t)n;
    pthread_mutex_lock(&print_lock);
    printf("{\"bytes\": %llu, \"seconds\": %.6f, \"cpu\": %.6f}\n", (unsigned long long)total,
           now_seconds() - started, thread_cpu_seconds());
    fflush(stdout);
    pthread_mutex_unlock(&print_lock);
    close(fd);
    free(buffer);
    return NULL;
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) die("bind");
    if (listen(fd, 128) < 0) die("listen");
    socklen_t length = sizeof address;
    getsockname(fd, (struct sockaddr *)&address, &length);
    printf("port %d\n", ntohs(address.sin_port));
    fflush(stdout);
    return fd;
}

static void accept_forever(int listener, void *(*handler)(void *)) {
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            die("accept");
        }
        int yes = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        pthread_t thread;
        pthread_create(&thread, NULL, handler, (void *)(intptr_t)fd);
        pthread_detach(thread);
    }
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
    return fd;
}

/* ---- clients: the loopback ceiling and the server's own ---- */

static int tcp_send(int port, const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) die(path);
    int fd = connect_to(port);
    unsigned char *buffer = malloc(BUFFER_SIZE);
    size_t n;
    while ((n = fread(buffer, 1, BUFFER_SIZE, file)) > 0)
        if (write_all(fd, buffer, n) < 0) die("write");
    close(fd);
    fclose(file);
    return 0;
}

typedef struct {
    Connection *connection;
    uint64_t count;
    size_t size;
} Blast;

static void *blast_writer(void *argument) {
    Blast *b = argument;
    Connection *c = b->connection;
    unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    unsigned char h[14];
    size_t header = frame_header(h, 0x81, b->size, mask);
    unsigned char *payload = malloc(b->size ? b->size : 1);
    fill_message(payload, 0, b->size);
    unmask(payload, b->size, mask, 0); /* masking is the same xor */
    for (uint64_t i = 0; i < b->count; i++) {
        queue(c, h, header);
        queue(c, payload, b->size);
    }
    unsigned char close_frame[8] = {0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8};
    queue(c, close_frame, sizeof close_frame);
    flush_out(c);
    free(payload);
    return NULL;
}

static int blast(int port, const char *mode, uint64_t count, size_t size) {
    int fd = connect_to(port);
    Connection c = {fd, malloc(BUFFER_SIZE), 0, 0, malloc(BUFFER_SIZE), 0};
    char request[512];
    int n = snprintf(request, sizeof request,
                     "GET /%s?n=%llu&size=%zu HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     mode, (unsigned long long)count, size);
    double started = now_seconds();
    write_all(fd, (unsigned char *)request, (size_t)n);
    for (;;) {
        unsigned char *end = memmem(c.in + c.start, c.end - c.start, "\r\n\r\n", 4);
        if (end) {
            c.start = (size_t)(end + 4 - c.in);
            break;
        }
        if (fill(&c) <= 0) die("handshake");
    }
    Tally tally = {0, 0, 0, crc32(0, NULL, 0), 0};
    if (strcmp(mode, "source") == 0) {
        /* The server streams, then closes; the close is answered (unmasked: ours only). */
        read_frames(&c, 0, 0, &tally);
    } else {
        pthread_t writer;
        Connection writing = {fd, NULL, 0, 0, malloc(BUFFER_SIZE), 0};
        Blast b = {&writing, count, size};
        pthread_create(&writer, NULL, blast_writer, &b);
        read_frames(&c, 0, 1, &tally); /* echoes (for echo), then the close's answer */
        pthread_join(writer, NULL);
    }
    double seconds = now_seconds() - started;
    printf("{\"mode\": \"%s\", \"messages\": %llu, \"bytes\": %llu, \"seconds\": %.6f}\n", mode,
           (unsigned long long)(strcmp(mode, "sink") == 0 ? count : tally.messages),
           (unsigned long long)(strcmp(mode, "sink") == 0 ? count * size : tally.bytes), seconds);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
        accept_forever(listen_on(argc > 2 ? atoi(argv[2]) : 0), serve_connection);
    } else if (argc >= 2 && strcmp(argv[1], "tcp-sink") == 0) {
        accept_forever(listen_on(argc > 2 ? atoi(argv[2]) : 0), sink_tcp_connection);
    } else if (argc == 4 && strcmp(argv[1], "tcp-send") == 0) {
        return tcp_send(atoi(argv[2]), argv[3]);
    } else if (argc == 6 && strcmp(argv[1], "blast") == 0) {
        return blast(atoi(argv[2]), argv[3], strtoull(argv[4], NULL, 10), (size_t)strtoull(argv[5], NULL, 10));
    } else if (argc == 4 && strcmp(argv[1], "message") == 0) {
        size_t size = (size_t)strtoull(argv[3], NULL, 10);
        unsigned char *p = malloc(size + 1);
        fill_message(p, strtoull(argv[2], NULL, 10), size);
        fwrite(p, 1, size, stdout);
        putchar('\n');
        return 0;
    }
    fprintf(stderr, "usage: wsbench serve [PORT] | tcp-sink [PORT] | tcp-send PORT FILE | "
                    "blast PORT sink|source|echo N SIZE | message I SIZE\n");
    return 64;
}
