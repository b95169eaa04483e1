import * as assert from 'node:assert/strict';
import { expandTemplate, expandTemplates } from '../../../src/run/templates';

describe('input templates', () => {
  const ctx = { selection: 'let x = 1;', file: 'whole file', fileName: 'a.ts', languageId: 'typescript', input: 'why?' };

  it('expands every editor variable', () => {
    assert.equal(
      expandTemplate('${input}\n```${languageId}\n${selection}\n``` in ${fileName} of ${file}', ctx),
      'why?\n```typescript\nlet x = 1;\n``` in a.ts of whole file',
    );
  });

  it('keeps unknown placeholders as written', () => {
    assert.equal(expandTemplate('${unknown} ${selection}', ctx), '${unknown} let x = 1;');
  });

  it('leaves out templates whose context is missing so the person is asked instead', () => {
    assert.deepEqual(expandTemplates({ code: '${selection}', lang: '${languageId}', fixed: 'review' }, { languageId: 'go' }), { lang: 'go', fixed: 'review' });
  });
});
