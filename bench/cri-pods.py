#!/usr/bin/python3
"""bench/cri-pods.py SOCKET IMAGE HANDLER N CGROUP: N CRI pod starts with the
runtime handler HANDLER, one line each: the milliseconds from RunPodSandbox
to StartContainer's return (a pod with one busybox container running
`sleep`), or `fail MESSAGE`.  Stop and removal are not timed."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration", "cri"))
import grpc  # noqa: E402
from cri import Client  # noqa: E402


def main():
	sock, image, handler, n, cg = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
	cri = Client(sock)
	for i in range(n):
		name = "bench-%s-%d-%d" % (handler, os.getpid(), i)
		config = {"metadata": {"name": name, "uid": name, "namespace": "bench"}, "hostname": "bench",
			"linux": {"cgroup_parent": "/%s/%s" % (cg, name)}}
		pod = None
		try:
			t0 = time.monotonic()
			pod = cri.call("RunPodSandbox", {"config": config, "runtime_handler": handler})["pod_sandbox_id"]
			ctr = cri.call("CreateContainer", {"pod_sandbox_id": pod, "sandbox_config": config,
				"config": {"metadata": {"name": "c"}, "image": {"image": image}, "command": ["sleep", "3600"]}})
			cri.call("StartContainer", {"container_id": ctr["container_id"]})
			print("%.2f" % ((time.monotonic() - t0) * 1000), flush=True)
		except grpc.RpcError as e:
			print("fail %s" % e.details().replace("\n", " "), flush=True)
		finally:
			if pod:
				cri.call("StopPodSandbox", {"pod_sandbox_id": pod})
				cri.call("RemovePodSandbox", {"pod_sandbox_id": pod})


if __name__ == "__main__":
	main()
