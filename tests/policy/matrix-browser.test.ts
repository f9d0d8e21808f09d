import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { realPolicy, runPolicy, tempFolder } from './cli-helper';

/**
 * The HTML access matrix as a privacy officer uses it: opened from disk in headless
 * Chromium (Debian's `chromium`, driven by playwright-core; .ci/run installs it).
 */
const CHROMIUM = '/usr/bin/chromium';
const temp = tempFolder('policy-html-');
let profile: string;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
let file: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (CI does this in .ci/run)`);
  file = join(temp.dir, 'matrix.html');
  expect(runPolicy('matrix', '--format', 'html', '--out', file).code).toBe(0);
  profile = mkdtempSync(join(tmpdir(), 'policy-html-profile-'));
  // The machine has no network: these flags keep Chromium from trying to reach any.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (request) => requests.push(request.url()));
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  temp.remove();
});

/** What the tests read of a table row in the page (the tsconfig has no DOM lib). */
type Row = { hidden: boolean; offsetParent: unknown; dataset: Record<string, string | undefined> };

/** Rows of the matrix that are displayed, by audience. */
async function visibleRowsByAudience(): Promise<Record<string, number>> {
  return page.$$eval('tr.access', (rows) => {
    const counts: Record<string, number> = {};
    for (const row of rows as unknown as Row[]) {
      if (row.offsetParent === null) continue;
      const audience = row.dataset.audience!;
      counts[audience] = (counts[audience] ?? 0) + 1;
    }
    return counts;
  });
}

describe('the HTML access matrix in a browser', () => {
  it('filters by the transport officer\'s audience and shows the medical dossier as denied', async () => {
    const policy = realPolicy() as unknown as { audiences: Record<string, { roles: string[] }> };
    const audience = Object.keys(policy.audiences).find((name) => policy.audiences[name]!.roles.includes('transport-officer'))!;
    expect(audience).toBe('chain-officer');

    await page.goto(pathToFileURL(file).href);
    const before = await visibleRowsByAudience();
    expect(Object.keys(before).sort()).toEqual(Object.keys(policy.audiences).sort());
    const fieldsPerAudience = before[audience]!;

    await page.selectOption('#audience-filter', audience);

    const cell = page.locator(`tr.access[data-audience="${audience}"][data-field="Person.medicalDossier"] td[data-decision]`);
    expect(await cell.getAttribute('data-decision')).toBe('denied');
    expect(await cell.isVisible()).toBe(true);
    expect((await cell.innerText()).replace(/\s+/g, ' ')).toBe('denied never-dossier-outside-care');

    // Rows of the other audiences are hidden; every field of this audience stays.
    expect(await visibleRowsByAudience()).toEqual({ [audience]: fieldsPerAudience });
    const others = page.locator(`tr.access:not([data-audience="${audience}"])`);
    expect(await others.count()).toBe(Object.values(before).reduce((a, b) => a + b, 0) - fieldsPerAudience);
    expect(await others.evaluateAll((rows) => (rows as unknown as Row[]).every((row) => row.hidden && row.offsetParent === null))).toBe(true);
    expect(await page.locator('#shown-count').innerText()).toBe(`${fieldsPerAudience} shown`);
    expect(new URL(page.url()).hash).toBe(`#audience=${audience}`);
  });

  it('marks special-category fields visibly and filters on them', async () => {
    const row = page.locator('tr.access[data-audience="chain-officer"][data-field="Person.medicalDossier"]');
    expect(await row.getAttribute('class')).toBe('access special');
    expect(await row.locator('.badge').innerText()).toBe('special category');
    expect(await row.locator('.badge').isVisible()).toBe(true);
    expect(await page.locator('tr.access[data-field="Person.name"] .badge').count()).toBe(0);

    await page.check('#sensitive-only');
    const sensitivities = await page.$$eval('tr.access', (rows) =>
      [...new Set((rows as unknown as Row[]).filter((r) => r.offsetParent !== null).map((r) => r.dataset.sensitivity))],
    );
    expect(sensitivities).toEqual(['special-category']);
    await page.uncheck('#sensitive-only');
  });

  it('opens on the audience named in the address, and shows every audience again', async () => {
    await page.goto(`${pathToFileURL(file).href}#audience=escort-nurse`);
    expect(await page.locator('#audience-filter').inputValue()).toBe('escort-nurse');
    expect(Object.keys(await visibleRowsByAudience())).toEqual(['escort-nurse']);
    const cell = page.locator('tr.access[data-audience="escort-nurse"][data-field="Person.medicalDossier"] td[data-decision]');
    expect(await cell.getAttribute('data-decision')).toBe('conditional');
    expect((await cell.innerText()).replace(/\s+/g, ' ')).toBe('conditional consent: escort (dossier-for-escort-with-consent)');

    await page.selectOption('#audience-filter', '');
    expect(Object.keys(await visibleRowsByAudience()).length).toBe(Object.keys(realPolicy().audiences).length);
  });

  it('is self-contained: the page loads nothing but itself', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((url) => url.startsWith(pathToFileURL(file).href))).toBe(true);
  });
});
