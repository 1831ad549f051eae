-- One kind of request for the whole run, and its results as one JSON line for bench/load.py.
-- Arguments after `--`: the method, the body ("" for none), then the paths to send it to in turn
-- (headers come with -H).

local prepared = {}
local sent = 0

function init(args)
  wrk.method = args[1]
  if args[2] ~= "" then
    wrk.body = args[2]
  end
  for i = 3, #args do
    prepared[#prepared + 1] = wrk.format(nil, args[i])
  end
  if #prepared > 1 then
    request = function()
      sent = sent + 1
      return prepared[sent % #prepared + 1]
    end
  end
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
