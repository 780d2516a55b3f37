#!/bin/sh
# counter:web for a consumer (called with the consumer's name, from the consumer's folder).
# The counter needs nothing per consumer: it answers any guest of its zone, or of a zone the firewall lets in.
set -eu
consumer="$1"
echo "counter: $consumer uses the counter's web service at http://counter.srvHome.internal:8080 (GET /count, POST /count)"
