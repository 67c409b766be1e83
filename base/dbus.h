/* A small native D-Bus client (base/dbus.c): the subset of the protocol
 * that skiff needs to talk to systemd (the static musl build has no
 * libsystemd or libdbus).  Wire format: the D-Bus specification,
 * "Message Protocol"; SASL EXTERNAL only, no unix fds.
 *
 * Writer: a body is built with the sk_dbus_w_* calls (alignment relative
 * to the body start, which is 8-aligned in the message); the caller
 * gives the body's signature.  Reader: sk_dbus_decode() checks a whole
 * message (header, fields, signature, and the body against it: lengths,
 * alignment, zero padding, booleans, strings, paths, nesting) before
 * anything reads it, and the sk_dbus_it_* calls check each value's type
 * against the signature again: a malformed message is an error. */
#ifndef SKIFF_DBUS_H
#define SKIFF_DBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sk_error;

enum {
	SK_DBUS_CALL = 1,
	SK_DBUS_RETURN = 2,
	SK_DBUS_ERROR = 3,
	SK_DBUS_SIGNAL = 4,
};
#define SK_DBUS_NO_REPLY 0x1	/* header flag: no reply expected */
/* a received message: at most this many bytes (the specification allows
 * 128 MiB; systemd's replies are small) */
#define SK_DBUS_MAX_MSG (8u << 20)

/* ---- writer */
struct sk_dbus_w {
	uint8_t *p;
	size_t len, cap;
	bool oom;	/* an allocation failed: the buffer is unusable */
	int depth;	/* open arrays */
	size_t arr[32][2];	/* per open array: offset of its length, of its first element */
};
void sk_dbus_w_free(struct sk_dbus_w *w);
void sk_dbus_w_y(struct sk_dbus_w *w, uint8_t v);
void sk_dbus_w_b(struct sk_dbus_w *w, bool v);
void sk_dbus_w_n(struct sk_dbus_w *w, int16_t v);
void sk_dbus_w_q(struct sk_dbus_w *w, uint16_t v);
void sk_dbus_w_i(struct sk_dbus_w *w, int32_t v);
void sk_dbus_w_u(struct sk_dbus_w *w, uint32_t v);
void sk_dbus_w_x(struct sk_dbus_w *w, int64_t v);
void sk_dbus_w_t(struct sk_dbus_w *w, uint64_t v);
void sk_dbus_w_d(struct sk_dbus_w *w, double v);
void sk_dbus_w_s(struct sk_dbus_w *w, const char *s);
void sk_dbus_w_o(struct sk_dbus_w *w, const char *path);
void sk_dbus_w_g(struct sk_dbus_w *w, const char *sig);
/* An array of elements whose signature starts with `elem` (one type
 * character: it gives the alignment); closed by sk_dbus_w_array_close. */
void sk_dbus_w_array_open(struct sk_dbus_w *w, char elem);
void sk_dbus_w_array_close(struct sk_dbus_w *w);
/* A struct or dict entry: 8-aligned, its members follow (nothing closes it). */
void sk_dbus_w_struct(struct sk_dbus_w *w);
/* A variant of signature `sig` (one complete type): its value follows. */
void sk_dbus_w_variant(struct sk_dbus_w *w, const char *sig);
/* a(sv) helpers: one property (struct, name, variant of `sig`); its value follows */
void sk_dbus_w_prop(struct sk_dbus_w *w, const char *name, const char *sig);

/* ---- messages */
struct sk_dbus_msg {
	uint8_t type, flags;
	bool be;		/* big-endian message */
	uint32_t serial, reply_serial;
	/* header fields; NULL when absent (pointers into the message) */
	const char *path, *iface, *member, *error, *dest, *sender, *sig;
	const uint8_t *body;
	size_t body_len;
};

/* Encode a message of `type` into `out` (emptied first): header fields
 * from `h` (path, iface, member, error, dest, sig; reply_serial when not
 * 0) and `body` (NULL: none).  Returns -1 when out of memory or a field
 * is invalid (a bad path, a bad signature, a body without signature). */
int sk_dbus_encode(struct sk_dbus_w *out, const struct sk_dbus_msg *h,
		   const struct sk_dbus_w *body, struct sk_error *err);
/* Check and decode the `len` bytes of one whole message.  The pointers in
 * `m` point into `buf`. */
int sk_dbus_decode(const uint8_t *buf, size_t len, struct sk_dbus_msg *m,
		   struct sk_error *err);
/* How long the message that starts with these 16 bytes is (header,
 * fields, padding and body), 0 when the header is invalid or the message
 * longer than SK_DBUS_MAX_MSG. */
size_t sk_dbus_msg_size(const uint8_t head[16]);
/* Is `sig` a valid signature (of one single complete type when `single`)? */
bool sk_dbus_sig_valid(const char *sig, size_t len, bool single);
bool sk_dbus_path_valid(const char *path, size_t len);

/* ---- reading a body */
struct sk_dbus_it {
	const uint8_t *base;	/* the body (alignment is relative to it) */
	size_t pos, end;
	const char *sig;	/* the types still to read at this level */
	const char *elem, *elem_end;	/* arrays: the element signature, else NULL */
	bool be;
	int depth;
};
/* The body of `m` (checked by sk_dbus_decode). */
void sk_dbus_it_init(struct sk_dbus_it *it, const struct sk_dbus_msg *m);
/* The next type to read: a type character, 0 at the end of this level. */
char sk_dbus_it_type(const struct sk_dbus_it *it);
/* Read a basic value of `type` into *out (uint8_t, int (b), int16_t,
 * uint16_t, int32_t, uint32_t, int64_t, uint64_t, double, const char *). */
int sk_dbus_it_basic(struct sk_dbus_it *it, char type, void *out, struct sk_error *err);
/* Enter an array, a struct, a dict entry or a variant (`type` 'a', '(',
 * '{', 'v'); `sub` then reads its contents.  Variant: *vsig (when not
 * NULL) is its signature.  Leave with sk_dbus_it_exit. */
int sk_dbus_it_enter(struct sk_dbus_it *it, char type, struct sk_dbus_it *sub,
		     const char **vsig, struct sk_error *err);
/* Arrays: is there another element?  (Moves to it.) */
bool sk_dbus_it_next(struct sk_dbus_it *sub);
int sk_dbus_it_exit(struct sk_dbus_it *it, struct sk_dbus_it *sub, struct sk_error *err);
/* Skip the next value, whatever its type. */
int sk_dbus_it_skip(struct sk_dbus_it *it, struct sk_error *err);
/* The body of `m` is of signature `sig` and holds these values (a string
 * of the basic types of `sig`, read into the pointers that follow). */
int sk_dbus_read(const struct sk_dbus_msg *m, const char *sig, struct sk_error *err, ...);

/* ---- a connection */
struct sk_dbus {
	int fd;			/* -1 when closed */
	uint32_t serial;	/* of the last message sent */
	bool bus;		/* a message bus (Hello sent), not a peer */
	int timeout_ms;		/* the bound of sk_dbus_open, for later calls too */
	char unique_name[256];
	uint8_t *rbuf;		/* the last message received */
	size_t rlen;
	/* called with each message that is not the awaited reply (signals) */
	void (*on_msg)(void *data, const struct sk_dbus_msg *m);
	void *data;
	int record_fd;		/* >= 0: every message received is appended there */
};
/* Connect to the unix socket `path`, authenticate (SASL EXTERNAL, this
 * process's uid), and on a bus say Hello.  Every step is bounded by
 * `timeout_ms`. */
int sk_dbus_open(struct sk_dbus *c, const char *path, bool bus, int timeout_ms,
		 struct sk_error *err);
void sk_dbus_close(struct sk_dbus *c);
/* Send a method call (h: dest, path, iface, member, sig; body) and wait
 * at most timeout_ms for its reply, decoded into *reply (valid until the
 * next call).  An error reply is an error: "NAME: message" in err, and
 * *reply holds it. */
int sk_dbus_call(struct sk_dbus *c, const struct sk_dbus_msg *h, const struct sk_dbus_w *body,
		 struct sk_dbus_msg *reply, int timeout_ms, struct sk_error *err);
/* Read messages for at most timeout_ms (each passed to on_msg) until
 * `done(data)` is true. */
int sk_dbus_wait(struct sk_dbus *c, bool (*done)(void *data), int timeout_ms,
		 struct sk_error *err);
/* Read one whole message from the socket before the CLOCK_MONOTONIC
 * deadline (ms); decoded into *m (valid until the next read). */
int sk_dbus_recv(struct sk_dbus *c, struct sk_dbus_msg *m, int64_t deadline_ms,
		 struct sk_error *err);

/* tests/fuzz: one message decoded and its body walked. */
int sk_dbus_fuzz(const uint8_t *buf, size_t len);

#endif
