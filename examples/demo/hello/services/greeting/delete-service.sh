#!/bin/sh
rm -f "$TAPPAAS_SITE/greetings/$1"
