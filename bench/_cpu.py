"""CPU time a request costs, from the serving processes' own counters (psutil, i.e. /proc/<pid>/stat):
the web server (its master and workers), the PostgreSQL backends that serve the web server's
connections (matched by client port in pg_stat_activity), and the Redis server. Read before and
after a window; the difference over the requests accepted in it is "CPU ms per accepted POST".

The worker and its backends are left out (they score, later); the load generator too. Redis is
one server: when it is shared with other work its column says so."""
from __future__ import annotations

import psutil


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu(proc: psutil.Process) -> float:
    try:
        t = proc.cpu_times()
        return t.user + t.system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


def redis_pid(port: int) -> int | None:
    """The redis-server listening on ``port`` on this box, if any."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            return conn.pid
    return None


class CpuMeter:
    def __init__(self, *, web_pid: int, db, db_name: str, redis_port: int | None = None, pg_port: int = 5432):
        self.web_pid, self.db, self.db_name, self.pg_port = web_pid, db, db_name, pg_port
        self.redis = psutil.Process(pid) if redis_port and (pid := redis_pid(redis_port)) else None
        self.start: dict[str, dict[int, float]] = {}

    def _web_backends(self, web: list[psutil.Process]) -> list[psutil.Process]:
        ports = set()
        for proc in web:
            try:
                ports |= {c.laddr.port for c in proc.net_connections(kind="tcp") if c.raddr and c.raddr.port == self.pg_port}
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        rows = self.db.execute("SELECT pid, client_port FROM pg_stat_activity WHERE datname = %s", (self.db_name,)).fetchall()
        out = []
        for pid, client_port in rows:
            if client_port in ports:
                try:
                    out.append(psutil.Process(pid))
                except psutil.NoSuchProcess:
                    pass
        return out

    def sample(self) -> dict[str, dict[int, float]]:
        web = _tree(self.web_pid)
        return {
            "web": {p.pid: _cpu(p) for p in web},
            "database": {p.pid: _cpu(p) for p in self._web_backends(web)},
            "redis": {self.redis.pid: _cpu(self.redis)} if self.redis else {},
        }

    def begin(self) -> None:
        self.start = self.sample()

    def end(self) -> dict[str, float]:
        """CPU seconds each part spent since begin() (a process new since then counts from 0)."""
        now = self.sample()
        return {part: sum(max(0.0, cpu - self.start.get(part, {}).get(pid, 0.0)) for pid, cpu in pids.items())
                for part, pids in now.items()}
