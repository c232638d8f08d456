import * as common from '@nestjs/common';
import * as core from '@nestjs/core';

/** ESM namespaces handed to CommonJS packages through bridge-*.cjs (see resolver.cjs). */
(globalThis as { __kezekEsmBridge?: Record<string, unknown> }).__kezekEsmBridge = {
  '@nestjs/common': common,
  '@nestjs/core': core,
};
