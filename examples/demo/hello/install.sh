#!/bin/sh
# Module hook: called with the module name; the working directory is this folder.
echo "installing $1 (config in $TAPPAAS_CONFIG_DIR/$1.json)"
