/* Unit tests of the D-Bus client (base/dbus.h) and systemd's API
 * (cgroups/systemd.h) against recorded messages (tests/unit/data/dbus/):
 *   start_transient_call.bin  busctl's (sd-bus) StartTransientUnit call,
 *                             through dbus-daemon (which added the sender)
 *   error_reply.bin           dbus-daemon's error reply to it
 *   hello_return.bin          dbus-daemon's reply to Hello
 *   job_removed.bin           a JobRemoved signal (busctl emit)
 *   systemd_return.bin        what systemd 252 sent after StartTransientUnit (its
 *                             signals, the job path, JobRemoved), recorded in the
 *                             VM tier (tests/integration/systemd.bats)
 * then malformed messages, and a connection to a fake bus (a child). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../tools/dbus_probe_props.h"
#include "skiff/error.h"
#include "tap.h"

static uint8_t *load(const char *name, size_t *len)
{
	char path[512];
	static uint8_t buf[8][16384];
	static int next;
	uint8_t *b = buf[next++ % 8];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/tests/unit/data/dbus/%s", SRC_DIR, name);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, b, sizeof(buf[0]));
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	*len = (size_t)n;
	return b;
}

/* the properties of a decoded StartTransientUnit call, as "Name=value;" */
static int walk_props(const struct sk_dbus_msg *m, char *out, size_t size, struct sk_error *err)
{
	struct sk_dbus_it it, arr, st, v, a2, s2;
	const char *unit, *mode, *name, *vsig, *s1, *s2v;
	size_t n = 0;

	sk_dbus_it_init(&it, m);
	if (sk_dbus_it_basic(&it, 's', &unit, err) < 0 || sk_dbus_it_basic(&it, 's', &mode, err) < 0 ||
	    sk_dbus_it_enter(&it, 'a', &arr, NULL, err) < 0)
		return -1;
	n += (size_t)snprintf(out + n, size - n, "%s %s:", unit, mode);
	while (sk_dbus_it_next(&arr)) {
		if (sk_dbus_it_enter(&arr, '(', &st, NULL, err) < 0 ||
		    sk_dbus_it_basic(&st, 's', &name, err) < 0 ||
		    sk_dbus_it_enter(&st, 'v', &v, &vsig, err) < 0)
			return -1;
		n += (size_t)snprintf(out + n, size - n, "%s=", name);
		if (!strcmp(vsig, "s")) {
			if (sk_dbus_it_basic(&v, 's', &s1, err) < 0)
				return -1;
			n += (size_t)snprintf(out + n, size - n, "%s", s1);
		} else if (!strcmp(vsig, "b") || !strcmp(vsig, "t")) {
			uint64_t t = 0;
			int b = 0;

			if (sk_dbus_it_basic(&v, vsig[0], vsig[0] == 'b' ? (void *)&b : (void *)&t, err) < 0)
				return -1;
			n += (size_t)snprintf(out + n, size - n, "%llu", vsig[0] == 'b' ?
					      (unsigned long long)b : (unsigned long long)t);
		} else if (!strcmp(vsig, "au") || !strcmp(vsig, "ay") || !strcmp(vsig, "a(ss)")) {
			if (sk_dbus_it_enter(&v, 'a', &a2, NULL, err) < 0)
				return -1;
			while (sk_dbus_it_next(&a2)) {
				uint32_t u = 0;
				uint8_t y = 0;

				if (vsig[1] == 'u' && sk_dbus_it_basic(&a2, 'u', &u, err) == 0)
					n += (size_t)snprintf(out + n, size - n, "%u,", u);
				else if (vsig[1] == 'y' && sk_dbus_it_basic(&a2, 'y', &y, err) == 0)
					n += (size_t)snprintf(out + n, size - n, "%u,", y);
				else if (vsig[1] == '(' && sk_dbus_it_enter(&a2, '(', &s2, NULL, err) == 0 &&
					 sk_dbus_it_basic(&s2, 's', &s1, err) == 0 &&
					 sk_dbus_it_basic(&s2, 's', &s2v, err) == 0 &&
					 sk_dbus_it_exit(&a2, &s2, err) == 0)
					n += (size_t)snprintf(out + n, size - n, "%s %s,", s1, s2v);
				else
					return -1;
			}
			if (sk_dbus_it_exit(&v, &a2, err) < 0)
				return -1;
		} else {
			return sk_error(err, EINVAL, "unexpected variant %s", vsig);
		}
		n += (size_t)snprintf(out + n, size - n, ";");
		if (sk_dbus_it_exit(&st, &v, err) < 0 || sk_dbus_it_exit(&arr, &st, err) < 0)
			return -1;
	}
	if (sk_dbus_it_exit(&it, &arr, err) < 0 || sk_dbus_it_enter(&it, 'a', &arr, NULL, err) < 0 ||
	    sk_dbus_it_next(&arr) || sk_dbus_it_exit(&it, &arr, err) < 0)
		return -1;
	return sk_dbus_it_type(&it) ? sk_error(err, EINVAL, "more after the aux array") : 0;
}

static void test_start_transient(void)
{
	struct sk_dbus_w w = { 0 }, msg = { 0 };
	struct sk_dbus_msg m, h;
	struct sk_error err = { 0 };
	size_t len;
	const uint8_t *rec = load("start_transient_call.bin", &len);
	char props[2048];
	int r;

	probe_props(&w, "skiff-probe.scope", "system.slice", 4242, 67108864, 32);
	r = sk_dbus_decode(rec, len, &m, &err);
	tap(r == 0, "dbus: sd-bus's StartTransientUnit call decodes", "%s", err.msg);
	tap(r == 0 && m.type == SK_DBUS_CALL && m.serial == 2 && !strcmp(m.path, "/org/freedesktop/systemd1") &&
	    !strcmp(m.iface, "org.freedesktop.systemd1.Manager") && !strcmp(m.member, "StartTransientUnit") &&
	    !strcmp(m.dest, "org.freedesktop.systemd1") && !strcmp(m.sender, ":1.1") &&
	    !strcmp(m.sig, "ssa(sv)a(sa(sv))"), "dbus: its header fields", "%s %s", m.member, m.sig);
	tap(r == 0 && !w.oom && m.body_len == w.len && !memcmp(m.body, w.p, w.len),
	    "dbus: our StartTransientUnit body is byte for byte sd-bus's",
	    "ours %zu bytes, recorded %zu", w.len, m.body_len);
	r = walk_props(&m, props, sizeof(props), &err);
	tap(r == 0 && !strcmp(props, "skiff-probe.scope fail:Description=skiff probe;Slice=system.slice;"
			      "Delegate=1;DefaultDependencies=0;PIDs=4242,;MemoryMax=67108864;TasksMax=32;"
			      "CPUWeight=50;CPUQuotaPerSecUSec=500000;DevicePolicy=strict;"
			      "DeviceAllow=/dev/null rwm,char-pts rw,;AllowedCPUs=1,;"),
	    "dbus: the properties read back", "%s %s", err.msg, props);
	/* the whole message: our header has its fields in another order */
	h = (struct sk_dbus_msg){ .type = SK_DBUS_CALL, .serial = 2, .path = m.path, .iface = m.iface,
				  .member = m.member, .dest = m.dest, .sender = ":1.1", .sig = m.sig };
	r = sk_dbus_encode(&msg, &h, &w, &err);
	tap(r == 0 && msg.len == len && sk_dbus_decode(msg.p, msg.len, &m, &err) == 0 &&
	    !strcmp(m.member, "StartTransientUnit") && !strcmp(m.sender, ":1.1") && m.body_len == w.len,
	    "dbus: our whole message decodes, of the recorded length", "%s (%zu, %zu)", err.msg, msg.len, len);
	sk_dbus_w_free(&msg);
	sk_dbus_w_free(&w);
}

static void test_replies(void)
{
	struct sk_dbus_msg m;
	struct sk_error err = { 0 };
	const char *s, *job, *unit, *result;
	uint32_t id;
	size_t len;
	const uint8_t *b = load("error_reply.bin", &len);
	int r;

	r = sk_dbus_decode(b, len, &m, &err);
	tap(r == 0 && m.type == SK_DBUS_ERROR && m.reply_serial == 2 &&
	    !strcmp(m.error, "org.freedesktop.DBus.Error.Spawn.ChildExited") &&
	    sk_dbus_read(&m, "s", &err, &s) == 0 &&
	    !strcmp(s, "Process org.freedesktop.systemd1 exited with status 1"),
	    "dbus: an error reply: its name and message", "%s", err.msg);
	b = load("hello_return.bin", &len);
	r = sk_dbus_decode(b, len, &m, &err);
	tap(r == 0 && m.type == SK_DBUS_RETURN && m.reply_serial == 1 &&
	    sk_dbus_read(&m, "s", &err, &s) == 0 && !strcmp(s, ":1.1"),
	    "dbus: Hello's reply: the unique name", "%s", err.msg);
	r = sk_dbus_read(&m, "o", &err, &s);
	tap(r < 0 && strstr(err.msg, "signature \"s\", not \"o\""), "dbus: a reply of another signature is an error",
	    "%d %s", r, err.msg);
	b = load("job_removed.bin", &len);
	r = sk_dbus_decode(b, len, &m, &err);
	tap(r == 0 && sk_sd_job_removed(&m, &id, &job, &unit, &result) == 0 && id == 42 &&
	    !strcmp(job, "/org/freedesktop/systemd1/job/42") && !strcmp(unit, "skiff-probe.scope") &&
	    !strcmp(result, "done"), "dbus: a JobRemoved signal", "%s", err.msg);
}

/* systemd's own messages (systemd_return.bin: the recorded stream) */
static void test_systemd_recorded(void)
{
	struct sk_dbus_msg m;
	struct sk_error err = { 0 };
	const char *job, *unit, *result;
	size_t len, off = 0, n;
	const uint8_t *b = load("systemd_return.bin", &len);
	bool ret = false, removed = false, bad = false;
	uint32_t id;

	while (off + 16 <= len) {
		n = sk_dbus_msg_size(b + off);
		if (!n || n > len - off || sk_dbus_decode(b + off, n, &m, &err) < 0) {
			bad = true;
			break;
		}
		if (m.type == SK_DBUS_RETURN && sk_dbus_read(&m, "o", &err, &job) == 0 &&
		    !strncmp(job, "/org/freedesktop/systemd1/job/", 30))
			ret = true;
		if (sk_sd_job_removed(&m, &id, &job, &unit, &result) == 0 && !strcmp(result, "done"))
			removed = true;
		off += n;
	}
	tap(!bad && off == len && ret && removed,
	    "dbus: systemd's recorded replies: a job path, then its JobRemoved",
	    "bad %d off %zu/%zu ret %d removed %d %s", bad, off, len, ret, removed, err.msg);
}

/* a message of one body, for the malformed cases */
static size_t build(uint8_t *out, const char *sig, const struct sk_dbus_w *body)
{
	struct sk_dbus_w w = { 0 };
	struct sk_dbus_msg h = { .type = SK_DBUS_RETURN, .serial = 7, .reply_serial = 3, .sig = sig };
	struct sk_error err;
	size_t n = 0;

	if (sk_dbus_encode(&w, &h, body, &err) == 0 && w.len <= 4096) {
		memcpy(out, w.p, w.len);
		n = w.len;
	}
	sk_dbus_w_free(&w);
	return n;
}

static bool refused(const uint8_t *b, size_t n, const char *want)
{
	struct sk_dbus_msg m;
	struct sk_error err = { 0 };

	if (sk_dbus_decode(b, n, &m, &err) == 0)
		return false;
	if (want && !strstr(err.msg, want)) {
		printf("# refused, but: %s\n", err.msg);
		return false;
	}
	return true;
}

static void test_malformed(void)
{
	static const char *const files[] = { "start_transient_call.bin", "error_reply.bin",
					     "hello_return.bin", "job_removed.bin" };
	struct sk_dbus_w w = { 0 };
	uint8_t b[4096];
	size_t n, len, body;
	bool all = true;
	const uint8_t *rec;

	/* every truncation of every recorded message */
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		rec = load(files[f], &len);
		for (n = 0; n < len; n++)
			all &= refused(rec, n, NULL);
	}
	tap(all, "dbus: every truncated message is refused", "one was taken");

	rec = load("hello_return.bin", &len);
	memcpy(b, rec, len);
	b[0x1d] = 1;	/* padding after ":1.1" in the header fields */
	tap(refused(b, len, "padding not zero"), "dbus: padding that is not zero is refused", "-");
	memcpy(b, rec, len);
	b[3] = 2;
	tap(refused(b, len, "length does not match"), "dbus: protocol version 2 is refused", "-");
	memcpy(b, rec, len);
	b[1] = 5;
	tap(refused(b, len, "unknown message type"), "dbus: an unknown message type is refused", "-");
	memcpy(b, rec, len);
	memset(b + 8, 0, 4);
	tap(refused(b, len, "serial 0"), "dbus: serial 0 is refused", "-");
	memcpy(b, rec, len);
	b[0x2a] = 's';	/* the signature field (8) declared as a string */
	tap(refused(b, len, NULL), "dbus: a header field of the wrong type is refused", "-");
	memcpy(b, rec, len);
	b[0x20] = 9;	/* reply serial -> unix fds (1) */
	tap(refused(b, len, "file descriptors"), "dbus: unix fds (not negotiated) are refused", "-");
	memcpy(b, rec, len);
	b[0x20] = 10;	/* reply serial -> an unknown field (ignored): no reply serial */
	tap(refused(b, len, "no reply serial"), "dbus: a method return without a reply serial is refused", "-");
	memcpy(b, rec, len);
	b[0x10] = 7;	/* destination -> a second sender field (7) */
	tap(refused(b, len, "twice"), "dbus: a header field twice is refused", "-");
	/* a body that does not match its signature */
	memcpy(b, rec, len);
	b[0x2d] = 'o';	/* signature "o": ":1.1" is no object path */
	tap(refused(b, len, "invalid object path"), "dbus: a body that is not of its signature is refused", "-");
	memcpy(b, rec, len);
	b[0x2d] = 'u';	/* "u": 4 + 5 bytes of body, 4 read */
	tap(refused(b, len, "body longer than its signature"), "dbus: a body longer than its signature is refused", "-");
	memcpy(b, rec, len);
	b[0x2d] = '(';	/* "(": no complete type */
	tap(refused(b, len, "invalid signature"), "dbus: an invalid signature is refused", "-");

	/* huge lengths */
	sk_dbus_w_array_open(&w, 'y');
	sk_dbus_w_y(&w, 1);
	sk_dbus_w_array_close(&w);
	n = build(b, "ay", &w);
	body = n - w.len;
	b[body] = 0xff, b[body + 1] = 0xff, b[body + 2] = 0xff, b[body + 3] = 0x7f;
	tap(refused(b, n, "longer than 64 MiB"), "dbus: an array length above 64 MiB is refused", "-");
	b[body + 3] = 0;
	tap(refused(b, n, "array longer than the message"), "dbus: an array longer than the message is refused", "-");
	sk_dbus_w_free(&w);
	sk_dbus_w_s(&w, "abc");
	n = build(b, "s", &w);
	body = n - w.len;
	memset(b + body, 0xff, 4);
	tap(refused(b, n, "string longer than the message"), "dbus: a string length of 4 GiB is refused", "-");
	memcpy(b + body, "\x03\0\0\0a\0c\0", 8);
	tap(refused(b, n, "NUL"), "dbus: a string with a NUL inside is refused", "-");
	memcpy(b + body, "\x03\0\0\0a\xff" "c\0", 8);
	tap(refused(b, n, "UTF-8"), "dbus: a string that is not UTF-8 is refused", "-");
	memcpy(b, rec, len);
	b[4] = 0xff, b[5] = 0xff, b[6] = 0xff, b[7] = 0x7f;
	tap(!sk_dbus_msg_size(b) && refused(b, len, NULL), "dbus: a body length of 2 GiB is refused", "-");
	sk_dbus_w_free(&w);

	/* alignment: "yu" with the u's padding not zero, a boolean of 2 */
	sk_dbus_w_y(&w, 1);
	sk_dbus_w_u(&w, 2);
	n = build(b, "yu", &w);
	body = n - w.len;
	tap(w.len == 8 && !refused(b, n, NULL), "dbus: \"yu\" is 8 bytes (the u 4-aligned) and decodes", "%zu", w.len);
	b[body + 1] = 1;
	tap(refused(b, n, "padding not zero"), "dbus: a misaligned value (padding not zero) is refused", "-");
	sk_dbus_w_free(&w);
	sk_dbus_w_u(&w, 2);
	n = build(b, "b", &w);
	tap(refused(b, n, "boolean"), "dbus: a boolean of 2 is refused", "-");
	sk_dbus_w_free(&w);

	/* variants nested deeper than 64 */
	for (int i = 0; i < 70; i++)
		sk_dbus_w_variant(&w, "v");
	sk_dbus_w_variant(&w, "u");
	sk_dbus_w_u(&w, 1);
	n = build(b, "v", &w);
	tap(n && refused(b, n, "nested too deep"), "dbus: variants nested 70 deep are refused", "-");
	sk_dbus_w_free(&w);
	tap(!sk_dbus_sig_valid("a{vs}", 5, false) && !sk_dbus_sig_valid("{su}", 4, false) &&
	    !sk_dbus_sig_valid("()", 2, false) && !sk_dbus_sig_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaau", 34, false) &&
	    sk_dbus_sig_valid("a{sv}(ia(ss))", 13, false) && !sk_dbus_sig_valid("su", 2, true) &&
	    sk_dbus_sig_valid("a(sv)", 5, true) && !sk_dbus_sig_valid("h", 1, false),
	    "dbus: signatures (dict keys, empty structs, 33 arrays deep, single types, no fds)", "-");
	tap(sk_dbus_path_valid("/", 1) && sk_dbus_path_valid("/a/b_1", 6) && !sk_dbus_path_valid("/a/", 3) &&
	    !sk_dbus_path_valid("//a", 3) && !sk_dbus_path_valid("a", 1) && !sk_dbus_path_valid("/a-b", 4),
	    "dbus: object paths", "-");
}

static void test_writer(void)
{
	struct sk_dbus_w w = { 0 }, out = { 0 };
	struct sk_dbus_msg h = { .type = SK_DBUS_SIGNAL, .serial = 9, .path = "/x", .iface = "a.b",
				 .member = "M", .sig = "a{sv}nqixtdg" }, m;
	struct sk_dbus_it it, a, e, v;
	struct sk_error err = { 0 };
	int16_t n16;
	uint16_t q16;
	int32_t i32;
	int64_t x64;
	uint64_t t64;
	double d;
	const char *k, *g, *vs;
	uint8_t y;
	int r;

	sk_dbus_w_array_open(&w, '{');
	sk_dbus_w_struct(&w);
	sk_dbus_w_s(&w, "k");
	sk_dbus_w_variant(&w, "y");
	sk_dbus_w_y(&w, 7);
	sk_dbus_w_array_close(&w);
	sk_dbus_w_n(&w, -2);
	sk_dbus_w_q(&w, 65535);
	sk_dbus_w_i(&w, -70000);
	sk_dbus_w_x(&w, -5000000000LL);
	sk_dbus_w_t(&w, 1ULL << 63);
	sk_dbus_w_d(&w, 1.5);
	sk_dbus_w_g(&w, "a(sv)");
	r = sk_dbus_encode(&out, &h, &w, &err);
	r = r ? r : sk_dbus_decode(out.p, out.len, &m, &err);
	sk_dbus_it_init(&it, &m);
	r = r ? r : sk_dbus_it_enter(&it, 'a', &a, NULL, &err);
	r = r ? r : !sk_dbus_it_next(&a);
	r = r ? r : sk_dbus_it_enter(&a, '{', &e, NULL, &err);
	r = r ? r : sk_dbus_it_basic(&e, 's', &k, &err);
	r = r ? r : sk_dbus_it_enter(&e, 'v', &v, &vs, &err);
	r = r ? r : sk_dbus_it_basic(&v, 'y', &y, &err);
	r = r ? r : sk_dbus_it_exit(&e, &v, &err);
	r = r ? r : sk_dbus_it_exit(&a, &e, &err);
	r = r ? r : sk_dbus_it_next(&a);
	r = r ? r : sk_dbus_it_exit(&it, &a, &err);
	r = r ? r : sk_dbus_it_basic(&it, 'n', &n16, &err);
	r = r ? r : sk_dbus_it_basic(&it, 'q', &q16, &err);
	r = r ? r : sk_dbus_it_basic(&it, 'i', &i32, &err);
	r = r ? r : sk_dbus_it_basic(&it, 'x', &x64, &err);
	r = r ? r : sk_dbus_it_basic(&it, 't', &t64, &err);
	r = r ? r : sk_dbus_it_basic(&it, 'd', &d, &err);
	r = r ? r : sk_dbus_it_basic(&it, 'g', &g, &err);
	tap(r == 0 && !strcmp(k, "k") && y == 7 && n16 == -2 && q16 == 65535 && i32 == -70000 &&
	    x64 == -5000000000LL && t64 == 1ULL << 63 && d == 1.5 && !strcmp(g, "a(sv)") &&
	    !sk_dbus_it_type(&it), "dbus: every type written reads back (a{sv} n q i x t d g)", "%d %s", r, err.msg);
	r = sk_dbus_it_basic(&it, 'u', &i32, &err);
	tap(r < 0, "dbus: reading past the signature is an error", "-");
	h.sig = "u";
	tap(sk_dbus_encode(&out, &h, &w, &err) == 0, "dbus: (encode does not check the body against its signature)", "-");
	h.sig = NULL;
	tap(sk_dbus_encode(&out, &h, &w, &err) < 0, "dbus: a body without a signature is not sent", "-");
	h.sig = "u";
	h.path = "/x/";
	tap(sk_dbus_encode(&out, &h, &w, &err) < 0, "dbus: an invalid object path is not sent", "-");
	sk_dbus_w_free(&w);
	sk_dbus_w_free(&out);
}

/* ---- a fake bus: SASL, Hello, a signal among the replies, an error, silence */
static int srv_reply(int fd, uint32_t serial, uint8_t type, const char *error, const char *sig,
		     const char *s)
{
	struct sk_dbus_w w = { 0 }, out = { 0 };
	struct sk_dbus_msg h = { .type = type, .serial = serial + 100, .reply_serial = serial,
				 .error = error, .sig = sig };
	struct sk_error err;
	int r;

	if (type == SK_DBUS_SIGNAL) {
		h.reply_serial = 0;
		h.path = "/org/freedesktop/systemd1";
		h.iface = "org.freedesktop.systemd1.Manager";
		h.member = "JobRemoved";
		sk_dbus_w_u(&w, 5);
		sk_dbus_w_o(&w, "/org/freedesktop/systemd1/job/5");
		sk_dbus_w_s(&w, "x.scope");
	}
	sk_dbus_w_s(&w, s);
	r = sk_dbus_encode(&out, &h, &w, &err);
	if (r == 0)
		r = write(fd, out.p, out.len) == (ssize_t)out.len ? 0 : -1;
	sk_dbus_w_free(&w);
	sk_dbus_w_free(&out);
	return r;
}

static void server(int lfd)
{
	struct sk_dbus s = { .record_fd = -1 };
	struct sk_dbus_msg m;
	struct sk_error err;
	char line[256], want[64], uid[16];
	size_t n = 0, k;
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		_exit(1);
	s.fd = fd;
	snprintf(uid, sizeof(uid), "%u", getuid());
	k = (size_t)snprintf(want, sizeof(want), "AUTH EXTERNAL ");
	for (const char *p = uid; *p; p++)
		k += (size_t)snprintf(want + k, sizeof(want) - k, "%02x", *p);
	snprintf(want + k, sizeof(want) - k, "\r\nBEGIN\r\n");
	/* a NUL, AUTH and BEGIN, before OK */
	k = strlen(want) + 1;
	while (n < k && read(fd, line + n, 1) == 1)
		n++;
	line[n] = 0;
	if (n != k || line[0] || strcmp(line + 1, want))
		_exit(2);
	if (write(fd, "OK 0123456789abcdef0123456789abcdef\r\n", 37) != 37)
		_exit(3);
	/* Hello */
	if (sk_dbus_recv(&s, &m, INT64_MAX, &err) < 0 || strcmp(m.member, "Hello") ||
	    srv_reply(fd, m.serial, SK_DBUS_RETURN, NULL, "s", ":1.7") < 0)
		_exit(5);
	/* GetUnit: a signal first, then an error */
	if (sk_dbus_recv(&s, &m, INT64_MAX, &err) < 0 || strcmp(m.member, "GetUnit") ||
	    srv_reply(fd, m.serial, SK_DBUS_SIGNAL, NULL, "uoss", "done") < 0 ||
	    srv_reply(fd, m.serial, SK_DBUS_ERROR, "org.freedesktop.systemd1.NoSuchUnit", "s",
		      "Unit x.scope not loaded.") < 0)
		_exit(6);
	/* the next call: no answer, until the client hangs up */
	while (read(fd, line, sizeof(line)) > 0)
		;
	sk_dbus_close(&s);
	_exit(0);
}

static int signals;

static void count(void *data, const struct sk_dbus_msg *m)
{
	const char *job, *unit, *result;
	uint32_t id;

	if (sk_sd_job_removed(m, &id, &job, &unit, &result) == 0 && id == 5)
		signals++;
}

static void test_connection(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sk_dbus c;
	struct sk_error err = { 0 };
	char path[128];
	int lfd, st = -1, r;
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/skiff-test-dbus.%d", getpid());
	unlink(sa.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0) {
		tap(false, "dbus: a fake bus", "cannot listen: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0)
		server(lfd);
	close(lfd);
	r = sk_dbus_open(&c, sa.sun_path, true, 1000, &err);
	tap(r == 0 && !strcmp(c.unique_name, ":1.7"), "dbus: SASL EXTERNAL with our uid, Hello: the unique name",
	    "%s", err.msg);
	if (r == 0) {
		c.on_msg = count;
		r = sk_sd_get_unit(&c, "x.scope", path, sizeof(path), &err);
		tap(r < 0 && !strcmp(err.msg, "org.freedesktop.systemd1.NoSuchUnit: Unit x.scope not loaded.") &&
		    signals == 1, "dbus: an error reply after a signal: the signal to the callback, the error named",
		    "%d %s, %d signals", r, err.msg, signals);
		r = sk_sd_get_unit(&c, "y.scope", path, sizeof(path), &err);
		tap(r < 0 && !strcmp(err.msg, "GetUnit: D-Bus: no answer in time") && err.errnum == ETIMEDOUT,
		    "dbus: a call without an answer ends at its bound", "%d %s", r, err.msg);
		sk_dbus_close(&c);
	}
	waitpid(pid, &st, 0);
	tap(WIFEXITED(st) && WEXITSTATUS(st) == 0, "dbus: the fake bus saw AUTH, BEGIN and the calls", "status 0x%x", st);
	unlink(sa.sun_path);
	r = sk_dbus_open(&c, sa.sun_path, true, 1000, &err);
	tap(r < 0 && strstr(err.msg, "connect to /tmp/skiff-test-dbus."), "dbus: no bus: one line naming the socket",
	    "%s", err.msg);
}

int main(void)
{
	test_start_transient();
	test_replies();
	test_systemd_recorded();
	test_malformed();
	test_writer();
	test_connection();
	return tap_done();
}
