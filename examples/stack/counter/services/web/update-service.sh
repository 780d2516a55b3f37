#!/bin/sh
# counter:web for a consumer, on update (called with the consumer's name, from the consumer's folder): nothing to
# converge, the counter answers every guest the firewall lets in.
set -eu
consumer="$1"
echo "counter: $consumer still uses the counter's web service at http://counter.srvHome.internal:8080"
