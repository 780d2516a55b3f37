#!/bin/sh
[ -f "$TAPPAAS_SITE/greetings/$1" ]
