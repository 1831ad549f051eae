-- One request for the whole run, and its results as one JSON line for bench/load.py.
-- Arguments after `--`: the method, then the body if there is one (headers come with -H).

function init(args)
  wrk.method = args[1]
  wrk.body = args[2]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
