// Conversations, follow-up questions and the web site of a Dify app, against the Dify-compatible test server: what the
// client sends and makes of each answer, the refusals included.
import * as assert from 'node:assert/strict';
import { demoApps, type DifyTestApp } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { ApiError } from '../../../src/net/apiError';
import type { DifyClient } from '../../../src/providers/dify/client';
import { client, collectRun, USER } from './helpers';

const apps = (): DifyTestApp[] => {
  const base = demoApps();
  const chat = base.find((a) => a.mode === 'chat')!;
  return [
    ...base,
    // Suggestions on, but the model call behind them failed: 200 with none.
    { ...chat, key: 'app-chat-quiet', name: 'Quiet Chat', suggestions: [] },
    // Suggestions off, as the newest main says it.
    { ...chat, key: 'app-chat-off-403', name: 'Off Chat', suggestionsOff: 'forbidden', parameters: { ...(chat.parameters as object), suggested_questions_after_answer: { enabled: false } } },
  ];
};

const sig = () => new AbortController().signal;

async function ask(c: DifyClient, query: string, conversationId?: string): Promise<{ conversationId: string; messageId: string }> {
  const r = await collectRun(c.run('chat', { inputs: {}, query, conversationId, user: USER }, sig()));
  assert.equal(r.error, undefined, String(r.error));
  const metas = r.events.filter((e): e is Extract<typeof e, { type: 'meta' }> => e.type === 'meta');
  return { conversationId: metas.find((m) => m.conversationId)!.conversationId!, messageId: metas.find((m) => m.messageId)!.messageId! };
}

function rejectsWith(status: number, code: string | RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.status, status, e.message);
    if (typeof code === 'string') assert.equal(e.code, code, e.message);
    else assert.match(e.message, code);
    return true;
  };
}

describe('Dify conversations, follow-up questions and site', function () {
  this.timeout(20_000);
  let server: DifyTestServer;
  const key = (mode: string) => demoApps().find((a) => a.mode === mode)!.key;

  beforeEach(async () => {
    server = await startDifyServer({ apps: apps() });
  });
  afterEach(async () => {
    await server.close();
  });

  it('lists conversations a page at a time, most recently updated first (has_more / last_id)', async () => {
    const c = client(server.url, key('chat'));
    const made: string[] = [];
    for (let i = 0; i < 23; i++) made.push((await ask(c, `问题 ${i} 🙂`)).conversationId);
    // The oldest conversation gets a new turn: it is the most recently updated now.
    await new Promise((r) => setTimeout(r, 1100));
    await ask(c, 'again', made[0]);
    const first = await c.conversationPage(USER, {});
    assert.equal(first.conversations.length, 20);
    assert.equal(first.hasMore, true);
    assert.equal(first.conversations[0].id, made[0]);
    assert.equal(first.conversations[0].name, '问题 0 🙂');
    assert.ok(first.conversations.every((x) => typeof x.updatedAt === 'number' && typeof x.createdAt === 'number'));
    const req = server.requests.filter((r) => r.path === '/v1/conversations').at(-1)!;
    assert.deepEqual({ user: req.query.user, limit: req.query.limit, sort: req.query.sort_by, last: req.query.last_id }, { user: USER, limit: '20', sort: '-updated_at', last: undefined });
    const second = await c.conversationPage(USER, { lastId: first.conversations.at(-1)!.id });
    assert.equal(server.requests.filter((r) => r.path === '/v1/conversations').at(-1)!.query.last_id, first.conversations.at(-1)!.id);
    assert.equal(second.conversations.length, 3);
    assert.equal(second.hasMore, false);
    assert.deepEqual(new Set([...first.conversations, ...second.conversations].map((x) => x.id)), new Set(made));
    // Another user sees none of them; an unknown last_id is refused.
    assert.deepEqual((await c.conversationPage('someone-else', {})).conversations, []);
    await assert.rejects(c.conversationPage(USER, { lastId: '3c7d8f1e-0000-4000-8000-000000000000' }), rejectsWith(404, /Last Conversation Not Exists/));
  });

  it('renames a conversation as typed (中文 kept) or by the app from its first message; a blank name is refused', async () => {
    const c = client(server.url, key('chat'));
    const { conversationId } = await ask(c, 'How do I deploy Dify behind nginx?');
    const typed = await c.renameConversation(conversationId, { name: '部署笔记 🚀' }, USER);
    assert.deepEqual({ id: typed.id, name: typed.name }, { id: conversationId, name: '部署笔记 🚀' });
    const body = server.requests.filter((r) => r.path.endsWith('/name')).at(-1)!.body;
    assert.deepEqual(body, { name: '部署笔记 🚀', auto_generate: false, user: USER });
    const auto = await c.renameConversation(conversationId, { autoGenerate: true }, USER);
    assert.equal(auto.name, '✨ How do I deploy Dify');
    assert.deepEqual(server.requests.filter((r) => r.path.endsWith('/name')).at(-1)!.body, { auto_generate: true, user: USER });
    await assert.rejects(c.renameConversation(conversationId, { name: '  ' }, USER), rejectsWith(400, 'invalid_param'));
    assert.equal((await c.conversationPage(USER, {})).conversations[0].name, auto.name, 'the refused rename changed nothing');
    await assert.rejects(c.renameConversation(conversationId, { name: 'x' }, 'someone-else'), rejectsWith(404, /Conversation Not Exists/));
    await assert.rejects(c.renameConversation('not-a-uuid', { name: 'x' }, USER), rejectsWith(404, /requested URL was not found/));
    await assert.rejects(client(server.url, key('workflow')).renameConversation(conversationId, { name: 'x' }, USER), rejectsWith(400, 'not_chat_app'));
  });

  it('deletes a conversation (204); it is gone from the list, and a second delete is 404', async () => {
    const c = client(server.url, key('advanced-chat'));
    const a = await ask(c, 'first');
    const b = await ask(c, 'second');
    await c.deleteConversation(a.conversationId, USER);
    const del = server.requests.find((r) => r.method === 'DELETE')!;
    assert.equal(del.path, `/v1/conversations/${a.conversationId}`);
    assert.deepEqual(del.body, { user: USER });
    assert.deepEqual((await c.conversationPage(USER, {})).conversations.map((x) => x.id), [b.conversationId]);
    await assert.rejects(c.deleteConversation(a.conversationId, USER), rejectsWith(404, /Conversation Not Exists/));
    await assert.rejects(c.run('chat', { inputs: {}, query: 'hello?', conversationId: a.conversationId, user: USER }, sig()).next(), rejectsWith(404, /Conversation Not Exists/));
  });

  it('follow-up questions: on (中文 too), on but none, off as 400 or as 403 (both mean off), and the refusals', async () => {
    const on = client(server.url, key('chat'));
    const m = await ask(on, 'proxy?');
    assert.deepEqual(await on.suggestions(m.messageId, USER), ['How do I configure a proxy?', '能否举个例子？', 'What about self-signed certificates?']);
    assert.equal(server.requests.at(-1)!.query.user, USER);
    const quiet = client(server.url, 'app-chat-quiet');
    assert.deepEqual(await quiet.suggestions((await ask(quiet, 'q')).messageId, USER), []);
    // Off: released builds say 400 bad_request "Suggested Questions Is Disabled.", the newest 403.
    const agent = client(server.url, key('agent-chat'));
    const am = await ask(agent, 'search something');
    await assert.rejects(agent.suggested(am.messageId, USER), rejectsWith(400, 'bad_request'));
    assert.deepEqual(await agent.suggestions(am.messageId, USER), []);
    const off = client(server.url, 'app-chat-off-403');
    const om = await ask(off, 'q');
    await assert.rejects(off.suggested(om.messageId, USER), rejectsWith(403, 'app_suggested_questions_after_answer_disabled'));
    assert.deepEqual(await off.suggestions(om.messageId, USER), []);
    // Anything else is a failure the caller hears of.
    await assert.rejects(on.suggestions(m.messageId, 'someone-else'), rejectsWith(404, /Message Not Exists/));
    await assert.rejects(on.suggestions('3c7d8f1e-0000-4000-8000-000000000000', USER), rejectsWith(404, /Message Not Exists/));
    await assert.rejects(client(server.url, key('completion')).suggestions(m.messageId, USER), rejectsWith(400, 'not_chat_app'));
  });

  it('the web site: title, description, placeholder and disclaimer; an app without one (403) has none', async () => {
    const docs = await client(server.url, key('advanced-chat')).site();
    assert.deepEqual(docs, {
      title: 'Docs Chat',
      description: '文档助手：回答关于部署和配置的问题。',
      inputPlaceholder: '问问文档… Ask the docs…',
      disclaimer: 'Answers may be wrong; check the docs. 回答仅供参考。',
    });
    const helper = client(server.url, key('chat'));
    assert.equal(await helper.site(), undefined);
    await assert.rejects(helper.siteRaw(), rejectsWith(403, 'forbidden'));
    // A server that is down is not "no site": the caller hears of it.
    const dead = client(server.url.replace(/:\d+/, ':9'), key('chat'), { connectTimeoutMs: 500 });
    await assert.rejects(dead.site(), (e: unknown) => e instanceof ApiError && e.kind !== 'http');
  });
});
