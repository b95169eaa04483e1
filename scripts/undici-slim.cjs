/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: a plain-Node child / an esbuild entry. */
'use strict';
// The part of undici's public API that src/ uses, without the rest of undici's index (fetch, WebSocket,
// EventSource, caches, cookies, mock agents, SQLite cache store, interceptors…). esbuild.mjs bundles this file
// in place of `undici` for dist/extension.js only; tests and tools still import the real package.
//
// Every export is the SAME object undici's index exports (esbuild.mjs checks that at build time), except
// `request`, which index.js creates with its private `makeDispatcher`; that wrapper is reproduced below verbatim
// in behaviour (undici 7.x, MIT). Keep the export list in step with `import … from 'undici'` in src/ — the build
// fails when src/ imports a name that is not exported here.
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const Client = require('undici/lib/dispatcher/client');
const Pool = require('undici/lib/dispatcher/pool');
const Agent = require('undici/lib/dispatcher/agent');
const ProxyAgent = require('undici/lib/dispatcher/proxy-agent');
const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent');
const { FormData } = require('undici/lib/web/fetch/formdata');
const errors = require('undici/lib/core/errors');
const util = require('undici/lib/core/util');
const api = require('undici/lib/api');
const { getGlobalDispatcher, setGlobalDispatcher } = require('undici/lib/global');

const { InvalidArgumentError } = errors;

// As undici's index.js does: dispatcher.request()/stream()/pipeline()/… on every dispatcher.
Object.assign(Dispatcher.prototype, api);

function makeDispatcher(fn) {
  return (url, opts, handler) => {
    if (typeof opts === 'function') {
      handler = opts;
      opts = null;
    }
    if (!url || (typeof url !== 'string' && typeof url !== 'object' && !(url instanceof URL))) {
      throw new InvalidArgumentError('invalid url');
    }
    if (opts != null && typeof opts !== 'object') {
      throw new InvalidArgumentError('invalid opts');
    }
    if (opts && opts.path != null) {
      if (typeof opts.path !== 'string') {
        throw new InvalidArgumentError('invalid opts.path');
      }
      let path = opts.path;
      if (!opts.path.startsWith('/')) {
        path = `/${path}`;
      }
      url = new URL(util.parseOrigin(url).origin + path);
    } else {
      if (!opts) {
        opts = typeof url === 'object' ? url : {};
      }
      url = util.parseURL(url);
    }
    const { agent, dispatcher = getGlobalDispatcher() } = opts;
    if (agent) {
      throw new InvalidArgumentError('unsupported opts.agent. Did you mean opts.client?');
    }
    return fn.call(dispatcher, {
      ...opts,
      origin: url.origin,
      path: url.search ? `${url.pathname}${url.search}` : url.pathname,
      method: opts.method || (opts.body ? 'PUT' : 'GET'),
    }, handler);
  };
}

module.exports = {
  Dispatcher,
  Client,
  Pool,
  Agent,
  ProxyAgent,
  EnvHttpProxyAgent,
  FormData,
  errors,
  request: makeDispatcher(api.request),
  getGlobalDispatcher,
  setGlobalDispatcher,
};
