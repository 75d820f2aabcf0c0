-- wrk script for the intake's load test: 70% valid uploads (each a new
-- segment), 10% corrupt zlib, 10% a missing part, 10% an unknown key.
-- Counts answers by status and prints them at the end, so lost segments
-- can be checked against what the intake stored.

local boundary = "----tapedeck-load"
local segment = nil
local raw_size = 0
local records = 0
local threads = {}
local counter = 0
local thread_id = 0

local function read_file(path)
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  return data
end

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end

function init(args)
  segment = read_file(os.getenv("LOAD_SEGMENT"))
  raw_size = tonumber(os.getenv("LOAD_RAW_SIZE"))
  records = tonumber(os.getenv("LOAD_RECORDS"))
  statuses = {}
end

local function part(name, content_type, bytes)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name ..
    "\"; filename=\"blob\"\r\nContent-Type: " .. content_type .. "\r\n\r\n" .. bytes .. "\r\n"
end

local function metadata(session, index, compressed_size)
  return string.format(
    '{"application":{"id":"load"},"session":{"id":"%s"},"view":{"id":"v"},' ..
    '"start":1000,"end":1199,"records_count":%d,"index_in_view":%d,' ..
    '"has_full_snapshot":false,"creation_reason":"segment_duration_limit",' ..
    '"raw_segment_size":%d,"compressed_segment_size":%d}',
    session, records, index, raw_size, compressed_size)
end

function request()
  counter = counter + 1
  local kind = counter % 10
  local session = string.format("load-%d-%d", id, math.floor(counter / 100))
  local index = counter % 100
  local key = "load-test-key"
  local body
  if kind == 7 then
    local corrupt = string.rep("x", #segment)
    body = part("segment", "application/octet-stream", corrupt) ..
      part("event", "application/json", metadata(session, index, #corrupt))
  elseif kind == 8 then
    body = part("event", "application/json", metadata(session, index, #segment))
  elseif kind == 9 then
    key = "wrong-key"
    body = part("segment", "application/octet-stream", segment) ..
      part("event", "application/json", metadata(session, index, #segment))
  else
    body = part("segment", "application/octet-stream", segment) ..
      part("event", "application/json", metadata(session, index, #segment))
  end
  body = body .. "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/api/v1/replay?key=" .. key,
    { ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  io.write(string.format("p50 latency: %.2f ms\n", latency:percentile(50) / 1000))
  io.write(string.format("p99 latency: %.2f ms\n", latency:percentile(99) / 1000))
  for status, count in pairs(totals) do
    io.write(string.format("status %d: %d\n", status, count))
  end
end
