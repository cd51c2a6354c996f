#!/usr/bin/env node
// The published entry point: runs the compiled CLI (npm install builds it through the "prepare" script).
import '../dist/cli/main.js';
