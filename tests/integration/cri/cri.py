#!/usr/bin/python3
"""tests/integration/cri/cri.py: a minimal CRI v1 client for the engine tests.

  cri.py SOCKET METHOD [JSON]   call runtime.v1.RuntimeService/METHOD (or
                                ImageService's) with the request given as JSON
                                (proto field names), print the response as JSON.
  cri.py --stream URL           attach to the streaming server's URL that Exec
                                returned (WebSocket, v4.channel.k8s.io; no stdin):
                                the command's stdout and stderr to ours, its exit
                                status as ours.

The messages come from api.proto beside this file, compiled at run time by
grpc_tools' protoc into a descriptor set (cached as api.pb next to the
descriptor's source when writable, else in $TMPDIR): no generated code, so
the protoc of python3-grpc-tools and the protobuf runtime need not agree on
a code generation.  A gRPC error prints `cri: METHOD: CODE: details` and
exits 1; a timeout (CRI_TIMEOUT, default 60 s) exits 124.
"""
import json
import os
import subprocess
import sys
import tempfile

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))


def descriptors():
	out = os.environ.get("CRI_DESCRIPTORS") or os.path.join(tempfile.gettempdir(), "skiff-cri-%d.pb" % os.getuid())
	proto = os.path.join(HERE, "api.proto")
	if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(proto):
		tmp = out + ".%d" % os.getpid()
		subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", HERE,
				"--descriptor_set_out=" + tmp, proto], check=True)
		os.replace(tmp, out)
	fds = descriptor_pb2.FileDescriptorSet()
	with open(out, "rb") as f:
		fds.ParseFromString(f.read())
	pool = descriptor_pool.DescriptorPool()
	for fd in fds.file:
		pool.Add(fd)
	return pool


class Client:
	"""CRI calls over SOCKET: call(METHOD, dict) returns the response as a dict."""

	def __init__(self, sock, timeout=None):
		self.pool = descriptors()
		self.channel = grpc.insecure_channel("unix://" + sock)
		self.timeout = timeout or float(os.environ.get("CRI_TIMEOUT", "60"))
		self.calls = {}

	def _stub(self, method):
		if method not in self.calls:
			for svc in ("RuntimeService", "ImageService"):
				m = self.pool.FindServiceByName("runtime.v1." + svc).methods_by_name.get(method)
				if m:
					break
			else:
				raise KeyError("no method %s in api.proto" % method)
			req, resp = (message_class(self.pool, t) for t in (m.input_type, m.output_type))
			call = self.channel.unary_unary("/runtime.v1.%s/%s" % (svc, method),
					request_serializer=lambda r: r.SerializeToString(),
					response_deserializer=resp.FromString)
			self.calls[method] = (req, call)
		return self.calls[method]

	def call(self, method, body=None):
		req, call = self._stub(method)
		resp = call(json_format.ParseDict(body or {}, req()), timeout=self.timeout)
		return json_format.MessageToDict(resp, preserving_proto_field_name=True,
				including_default_value_fields=True)


def message_class(pool, desc):
	if hasattr(message_factory, "GetMessageClass"):
		return message_factory.GetMessageClass(desc)
	return message_factory.MessageFactory(pool).GetPrototype(desc)


def stream(url):
	"""A WebSocket client of the streaming server, just enough for exec."""
	import base64
	import socket
	import struct
	import urllib.parse
	u = urllib.parse.urlparse(url)
	sock = socket.create_connection((u.hostname, u.port), timeout=60)
	key = base64.b64encode(os.urandom(16)).decode()
	sock.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
		"Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n" % (u.path, u.netloc, key)).encode())
	f = sock.makefile("rb")
	status = f.readline()
	if b" 101 " not in status:
		sys.exit("cri: stream: %s" % status.decode(errors="replace").strip())
	while f.readline() not in (b"\r\n", b""):
		pass
	out = {1: sys.stdout.buffer, 2: sys.stderr.buffer}
	result = b""
	while True:
		head = f.read(2)
		if len(head) < 2:
			break
		op, n = head[0] & 0x0F, head[1] & 0x7F
		if n == 126:
			n = struct.unpack(">H", f.read(2))[0]
		elif n == 127:
			n = struct.unpack(">Q", f.read(8))[0]
		data = f.read(n)
		if op == 8:
			break
		if op in (1, 2) and data:
			if data[0] in out:
				out[data[0]].write(data[1:])
				out[data[0]].flush()
			elif data[0] == 3:
				result += data[1:]
	if not result:
		return 0
	st = json.loads(result)
	if st.get("status") == "Success":
		return 0
	for cause in st.get("details", {}).get("causes", []):
		if cause.get("reason") == "ExitCode":
			return int(cause["message"])
	print("cri: stream: %s" % st.get("message", result.decode()), file=sys.stderr)
	return 1


def main():
	if len(sys.argv) == 3 and sys.argv[1] == "--stream":
		sys.exit(stream(sys.argv[2]))
	if len(sys.argv) < 3:
		sys.exit(__doc__)
	sock, method = sys.argv[1], sys.argv[2]
	body = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
	try:
		resp = Client(sock).call(method, body)
	except KeyError as e:
		sys.exit("cri: %s" % e.args[0])
	except grpc.RpcError as e:
		print("cri: %s: %s: %s" % (method, e.code().name, e.details()), file=sys.stderr)
		sys.exit(124 if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED else 1)
	print(json.dumps(resp))


if __name__ == "__main__":
	main()
