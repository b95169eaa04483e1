// Which file an answer's code block names: in its fence or its first line, inside the workspace only.
import * as assert from 'node:assert/strict';
import { fileHintOf } from '../../src/app/codeTarget';

describe('code blocks that name their file', () => {
  it('finds the path in the info string or the first line', () => {
    assert.equal(fileHintOf('ts src/app.ts', 'x'), 'src/app.ts');
    assert.equal(fileHintOf('ts:src/app.ts', 'x'), 'src/app.ts');
    assert.equal(fileHintOf('ts title="src/app.ts"', 'x'), 'src/app.ts');
    assert.equal(fileHintOf('python', '# file: tools/run.py\nprint(1)'), 'tools/run.py');
    assert.equal(fileHintOf('ts', '// ./src/app.ts\nexport {}'), 'src/app.ts');
    assert.equal(fileHintOf('html', '<!-- index.html -->\n<p>'), 'index.html');
  });

  it('names nothing for plain code, and never a path outside the workspace', () => {
    assert.equal(fileHintOf('ts', 'const a = 1; // a comment'), undefined);
    assert.equal(fileHintOf('ts', '// add two numbers\nexport {}'), undefined);
    assert.equal(fileHintOf('sh /etc/passwd', 'x'), undefined);
    assert.equal(fileHintOf('ts ../../outside.ts', 'x'), undefined);
    assert.equal(fileHintOf('ts', '// C:/Windows/x.ini'), undefined);
    assert.equal(fileHintOf('ts src/../../x.ts', 'x'), undefined);
  });
});
