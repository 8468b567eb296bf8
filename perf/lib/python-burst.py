"""The reference for perf/bench-burst.ts: a burst of N calls sent the way faas-benchmarker sends one.

    python3 perf/lib/python-burst.py URL N aiohttp
    python3 perf/lib/python-burst.py URL N threads WORKERS

aiohttp: faas-benchmarker's own way (provider_abstract.py, invoke_function_conccrently): one task
submitted to a ThreadPoolExecutor(max_workers=40), which runs a new asyncio loop with N tasks, each
POSTing through a ClientSession of its own (so a connection of its own). It needs aiohttp.

threads: without aiohttp, a ThreadPoolExecutor(max_workers=WORKERS) running N calls of
urllib.request (a connection each, as urllib does not keep connections).

Prints one JSON object: per call, when it started and when its request's headers and body had
been written to the socket (time.perf_counter() ms), the errors, the burst's elapsed ms and the CPU ms the process used during it.
"""

import http.client
import json
import sys
import threading
import time
import urllib.request
import warnings
from concurrent import futures

url, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
workers = int(sys.argv[4]) if len(sys.argv) > 4 else 40
starts = [None] * n
sents = [None] * n
errors = []
headers = {"Content-Type": "application/json"}


def now():
    return time.perf_counter() * 1000


if mode == "aiohttp":
    import asyncio

    import aiohttp

    warnings.simplefilter("ignore")  # ClientSession made outside a coroutine, as the reference does

    async def on_headers_sent(session, ctx, params):
        sents[ctx.trace_request_ctx["i"]] = now()

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(on_headers_sent)

    async def invoke_wrapper(url, data, aiohttp_session, i):
        starts[i] = now()
        try:
            async with aiohttp_session as session:
                for _ in range(5):
                    async with session.post(
                        url=url,
                        headers=headers,
                        data=json.dumps(data),
                        timeout=aiohttp.ClientTimeout(total=600),
                        trace_request_ctx={"i": i},
                    ) as response:
                        if response.status == 200:
                            await response.json()
                            break
        except Exception as e:  # noqa: BLE001 - the reference records any failure
            errors.append(repr(e))

    def asyncio_execution(url, n):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        tasks = [
            asyncio.ensure_future(invoke_wrapper(url, {}, aiohttp.ClientSession(trace_configs=[trace]), i))
            for i in range(n)
        ]
        loop.run_until_complete(asyncio.wait(tasks))
        loop.close()

    executor = futures.ThreadPoolExecutor(max_workers=40)
    t0, cpu0 = now(), time.process_time()
    executor.submit(asyncio_execution, url, n).result()
    elapsed, cpu = now() - t0, (time.process_time() - cpu0) * 1000
    label = "faas-benchmarker's way: ThreadPoolExecutor(max_workers=40) running asyncio + aiohttp"
else:
    local = threading.local()

    class Connection(http.client.HTTPConnection):
        def endheaders(self, *args, **kwargs):
            super().endheaders(*args, **kwargs)  # writes the headers and the body
            sents[local.i] = now()

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(Connection, req)

    opener = urllib.request.build_opener(Handler)

    def call(i):
        local.i = i
        starts[i] = now()
        try:
            req = urllib.request.Request(url, data=b"{}", headers=headers, method="POST")
            with opener.open(req, timeout=600) as r:
                json.loads(r.read())
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    executor = futures.ThreadPoolExecutor(max_workers=workers)
    t0, cpu0 = now(), time.process_time()
    list(executor.map(call, range(n)))
    elapsed, cpu = now() - t0, (time.process_time() - cpu0) * 1000
    label = f"ThreadPoolExecutor(max_workers={workers}) running urllib.request"

executor.shutdown()
print(
    json.dumps(
        {
            "label": label,
            "starts": [s for s in starts if s is not None],
            "sents": [s for s in sents if s is not None],
            "errors": errors[:5],
            "errorCount": len(errors),
            "elapsedMs": elapsed,
            "cpuMs": cpu,
        }
    )
)
