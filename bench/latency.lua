-- wrk's --latency stops at p99; this prints p50, p99 and p99.9 (microseconds) on one line for bench/lib.sh.
done = function(summary, latency, requests)
  io.write(string.format("bench-latency-us %d %d %d\n",
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
