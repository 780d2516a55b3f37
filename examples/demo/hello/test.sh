#!/bin/sh
[ -f "$TAPPAAS_CONFIG_DIR/$1.json" ] && echo "$1 is configured"
