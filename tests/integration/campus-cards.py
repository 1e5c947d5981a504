# campus-cards.py: cards presented on many gates at once, for
# campus-fleet.sh: POST /v1/sim/card on each gate's control socket (HTTP
# over the Unix socket, one connection per gate, one thread per gate), the
# UIDs of people.csv in turn.  Prints the count decided, the p99 of the
# round trip in ms and the seconds the run took.  CARDS_GAP_MS paces each
# gate's cards (tests/bench/mqtt-backlog: a card every 50 ms, as a lane
# sees them, not back to back); CARDS_PCT adds the p50 and p90.  Usage: campus-cards.py TOTAL SOCKET...
import http.client, json, socket, sys, threading, time

class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=30)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)

total, socks = int(sys.argv[1]), sys.argv[2:]
uids = ["1001", "1002", "1003", "9999"]
decided, times, lock = [0], [], threading.Lock()
gap = float(__import__("os").environ.get("CARDS_GAP_MS", "0")) / 1000

def run(path, n):
    c = UnixConn(path)
    mine = []
    for i in range(n):
        body = json.dumps({"reader": "ped-in" if i % 2 else "car-in",
                           "uid": uids[i % len(uids)]})
        t = time.monotonic()
        try:
            c.request("POST", "/v1/sim/card", body,
                      {"X-Gated-Protocol": "1", "Content-Type": "application/json"})
            r = c.getresponse(); r.read()
        except OSError:
            c.close(); c = UnixConn(path); continue
        if r.status == 200:
            mine.append((time.monotonic() - t) * 1000)
        if gap:
            time.sleep(gap)
    with lock:
        decided[0] += len(mine); times.extend(mine)

start = time.monotonic()
per = total // len(socks)
th = [threading.Thread(target=run, args=(s, per + (1 if i < total % len(socks) else 0)))
      for i, s in enumerate(socks)]
for t in th: t.start()
for t in th: t.join()
times.sort()
p99 = times[int(len(times) * 0.99)] if times else 0
pct = lambda q: times[int(len(times) * q)] if times else 0
print(decided[0], "%.2f" % p99, "%.1f" % (time.monotonic() - start),
      *(["%.2f" % pct(0.5), "%.2f" % pct(0.9)]
        if __import__("os").environ.get("CARDS_PCT") else []))
