// Follow-up questions after an answer. Flowise sends its own with the answer (the run's `suggestions` event); a Dify
// app that has "suggested questions after answer" on gives them on request, once the answer is complete: asked
// here, after the run, for answers the panel shows. A failure only costs the chips, so it is logged, never shown.
import type { AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import type { EntryView } from '../shared/entry';
import { isChatMode } from '../shared/model';
import type { Log } from './log';
import type { Runs, RunsListener } from './runs';

/** As many as the panel shows, each a line or so (what the run layer keeps of Flowise's too). */
const MAX_QUESTIONS = 10;
const MAX_CHARS = 1000;

export class FollowUpQuestions implements RunsListener {
  /** The requests in flight (tests wait for them). */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly catalog: AppCatalog,
    private readonly runs: Runs,
    private readonly log: Log,
    private readonly userId: string,
  ) {
    runs.listen(this);
  }

  finished(entry: EntryView, app: AppProfile, shown: boolean): void {
    if (!shown || entry.status !== 'succeeded' || !entry.messageId || !isChatMode(entry.mode) || entry.suggestions?.length) return;
    const p = this.ask(entry, app, entry.messageId).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves once every request asked so far has been answered (or failed). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async ask(entry: EntryView, app: AppProfile, messageId: string): Promise<void> {
    try {
      const params = this.catalog.cachedParameters(app) ?? (await this.catalog.parameters(app));
      if (!params.suggestionsAfterAnswer) return;
      const client = await this.catalog.client(app);
      if (!client.suggestions) return;
      const questions = (await client.suggestions(messageId, this.userId))
        .map((q) => q.trim())
        .filter(Boolean)
        .slice(0, MAX_QUESTIONS)
        .map((q) => (q.length > MAX_CHARS ? q.slice(0, MAX_CHARS) + '…' : q));
      if (questions.length) this.runs.update({ id: entry.id, suggestions: questions });
    } catch (e) {
      this.log.write('warn', `[${app.name}] no follow-up questions for the answer: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}
