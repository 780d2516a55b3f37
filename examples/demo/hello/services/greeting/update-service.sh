#!/bin/sh
# Service hook of hello:greeting, run for each consumer ($1).
mkdir -p "$TAPPAAS_SITE/greetings" && echo "hello, $1" > "$TAPPAAS_SITE/greetings/$1"
