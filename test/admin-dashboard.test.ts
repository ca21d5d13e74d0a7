import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wifiQrText } from '../src/health/connect.js';
import { tempDir } from './helpers/context.js';
import { coordinatorClient, adminServer, type AdminServer } from './admin-helpers.js';

/**
 * The dashboard explains the box: how trainees connect (the Wi-Fi from the box's network settings, the
 * site's name first, QR codes drawn on the server), how busy the box is in words, in fr and ar.
 */
describe('the dashboard explains the box', () => {
  let s: AdminServer;
  const net = tempDir('fieldclass-net-');
  beforeAll(async () => {
    const conf = join(net.dir, 'network.conf');
    writeFileSync(conf, 'SSID="Salle 3"\nPASSPHRASE=tigre;bleu\nHOSTNAME=class.lan\n');
    s = await adminServer({ allowedOrigins: ['http://class.lan'] }, { networkConf: conf });
    await s.ctx.people.addCoordinator({ username: 'awa', password: 'long-password-1' });
  });
  afterAll(async () => {
    await s.cleanup();
    net.cleanup();
  });

  const signedIn = (lang: string) => coordinatorClient(s.url, 'awa', 'long-password-1', lang);

  it('shows the Wi-Fi to join and the address to open, each with a QR code (fr)', async () => {
    const b = await signedIn('fr');
    const { html } = await b.page('/admin');
    const card = /<section class="card connect" id="connect">[^]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(card).toContain('Comment les personnes en formation se connectent');
    expect(card).toMatch(/Rejoindre le Wi-Fi «\s?Salle 3\s?»/);
    expect(card).toMatch(/Mot de passe Wi-Fi\s:/);
    expect(card).toContain('tigre;bleu');
    // After the Wi-Fi step, "then" (without a Wi-Fi the card says only "Ouvrir cette adresse").
    expect(card).toContain('Puis ouvrir cette adresse');
    expect(card).toContain('href="http://class.lan/"');
    expect(card.match(/<svg /g)?.length).toBe(2);
    expect(card).toContain('Scanner pour rejoindre le Wi-Fi');
    expect(card).toContain('http://class.lan/admin');
    // The Wi-Fi QR holds what a phone camera joins with (the ; in the passphrase escaped).
    expect(wifiQrText('Salle 3', 'tigre;bleu')).toBe('WIFI:T:WPA;S:Salle 3;P:tigre\\;bleu;;');
    // Nothing exported yet: "jamais", a word, not forced left-to-right.
    expect(html).toMatch(/<dd>jamais<\/dd>/);
  });

  it('says how busy the box is in words, never "947%" (ar)', async () => {
    s.probe.values = { cpuLoad: 9.47 };
    const b = await signedIn('ar');
    const { html } = await b.page('/admin');
    expect(html).toContain('<html lang="ar" dir="rtl"');
    expect(html).toContain('مدى انشغال الجهاز');
    expect(html).toMatch(/data-load="overloaded">\s*مثقل: قد تكون الصفحات بطيئة/);
    expect(html).not.toContain('947');
    expect(html).toContain('كيف يتصل المتدربون');
    s.probe.values = { cpuLoad: 0.2 };
    expect((await b.page('/admin')).html).toMatch(/data-load="quiet">\s*هادئ/);
  });

  it('a box with no name and no network address says so', async () => {
    const t = await adminServer();
    try {
      await t.ctx.people.addCoordinator({ username: 'awa', password: 'long-password-1' });
      const b = await coordinatorClient(t.url, 'awa', 'long-password-1');
      const { html } = await b.page('/admin');
      expect(html).toContain('reachable from this computer only');
      expect(html).not.toContain('<svg ');
    } finally {
      await t.cleanup();
    }
  });
});
