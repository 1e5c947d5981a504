# slowloris.py: the clients of a slow denial-of-service attack on the
# remote API, for remote-slowloris.sh and for measuring by hand.
#
# usage: python3 slowloris.py PORT CAFILE SECONDS KIND:COUNT:ADDRESS ...
#   tls:   a TLS handshake, then an HTTP request, one byte per interval
#   hello: a TLS ClientHello, one byte per interval (no handshake ever)
#   idle:  a TCP connection that sends nothing
# Each client connects from ADDRESS (127.0.0.x) and, when the gate drops
# it, connects again after 0.2 s, for SECONDS.  INTERVAL (env, seconds,
# default 1) is the time between bytes.  Prints how many connections were
# made and how many the gate closed.
import os, socket, ssl, sys, threading, time

port, cafile, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
interval = float(os.environ.get("INTERVAL", "1"))
end = time.time() + seconds
lock = threading.Lock()
made = [0]
closed = [0]
ctx = ssl.create_default_context(cafile=cafile)
REQUEST = b"GET /v1/status HTTP/1.1\r\nHost: localhost\r\nX-A: " + b"a" * 4000

def client(kind, src):
    while time.time() < end:
        s = None
        try:
            s = socket.socket()
            s.bind((src, 0))
            s.settimeout(5)
            s.connect(("127.0.0.1", port))
            with lock:
                made[0] += 1
            if kind == "tls":
                s = ctx.wrap_socket(s, server_hostname="localhost")
                data = REQUEST
            elif kind == "hello":
                data = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 600
            else:
                data = b""
            i = 0
            while time.time() < end:
                if data:
                    s.sendall(data[i:i + 1])
                    i = (i + 1) % len(data)
                # a close shows as readable with nothing to read
                s.settimeout(interval)
                try:
                    if s.recv(1) == b"":
                        raise ConnectionError("closed")
                except (socket.timeout, ssl.SSLWantReadError):
                    pass
        except Exception:
            with lock:
                closed[0] += 1
            time.sleep(0.2)
        finally:
            if s is not None:
                s.close()

threads = []
for spec in sys.argv[4:]:
    kind, count, src = spec.split(":")
    for i in range(int(count)):
        t = threading.Thread(target=client, args=(kind, src), daemon=True)
        t.start()
        threads.append(t)
        time.sleep(0.005)
for t in threads:
    t.join()
print("connections %d, closed by the gate %d" % (made[0], closed[0]))
