-- One kind of request for the whole run, and its results as one JSON line for bench/load.py.
-- Arguments after `--`: the method, the body ("" for none), then the paths to send it to in turn
-- (headers come with -H).

local prepared = {}
local sent = 0
-- The main state keeps every thread, to read its counts in `done`.
local threads = {}
-- Per thread: how many responses came back with each status of 400 or more (what wrk counts as errors).
error_statuses = {}

function setup(thread)
  threads[#threads + 1] = thread
end

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

function response(status)
  if status > 399 then
    error_statuses[status] = (error_statuses[status] or 0) + 1
  end
end

-- The error statuses of every thread as a JSON object: {"503": 2}.
local function all_error_statuses()
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("error_statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local members = {}
  for status, count in pairs(totals) do
    members[#members + 1] = string.format('"%d": %d', status, count)
  end
  return "{" .. table.concat(members, ", ") .. "}"
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "error_statuses": %s, "connect": %d, "read": %d, '
      .. '"write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, all_error_statuses(), errors.connect, errors.read, errors.write,
    errors.timeout, latency:percentile(50), latency:percentile(99)))
end
