#!/usr/bin/env node
// The installed `assay` command runs the compiled server (npm start builds it).
import '../dist/server/main.js';
