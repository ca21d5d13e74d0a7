import { Csrf } from '../../web/layout.js';
import { OperationField } from '../kit/form.js';
import { AdminFrame, bytes, duration, tr, when, type AdminPage } from '../kit/admin.layout.js';
import type { Dashboard } from './dashboard.js';
import { isolate } from '../kit/widgets.js';
import { qrSvg, wifiQrText, type ConnectInfo } from '../../health/connect.js';

/** A QR code drawn on the server (uqr's SVG: generated from our text, no markup of anyone else's). */
function Qr({ text, caption }: { text: string; caption: string }) {
  return (
    <figure class="qr">
      <div dangerouslySetInnerHTML={{ __html: qrSvg(text) }} />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

/**
 * "How trainees connect": the Wi-Fi to join (name, password, a QR a phone camera joins with) and the address
 * to open (the box's name first, then its network addresses, with a QR), as the start banner prints them.
 */
function ConnectCard({ page, info }: { page: AdminPage; info: ConnectInfo }) {
  const t = tr(page);
  const first = info.siteUrl ?? info.lanUrls[0] ?? null;
  const others = info.lanUrls.filter((u) => u !== first);
  return (
    <section class="card connect" id="connect">
      <h2>{t('connectTitle')}</h2>
      {info.wifi && (
        <>
          <p>
            <strong>{t('connectWifi', { ssid: info.wifi.ssid })}</strong>
            <br />
            {t('wifiPassword')}{' '}
            {info.wifi.passphrase ? (
              <code class="ltr" dir="ltr">
                {info.wifi.passphrase}
              </code>
            ) : (
              t('wifiOpen')
            )}
          </p>
          <Qr text={wifiQrText(info.wifi.ssid, info.wifi.passphrase)} caption={t('qrWifi')} />
        </>
      )}
      {first ? (
        <>
          <p>{t(info.wifi ? 'connectOpen' : 'connectOpenOnly')}</p>
          <p class="address">
            <a href={first} class="ltr" dir="ltr">
              {first}
            </a>
          </p>
          {others.length > 0 && (
            <>
              <p class="muted">{t('connectOther')}</p>
              <ul class="addresses">
                {others.map((u) => (
                  <li>
                    <span class="ltr" dir="ltr">
                      {u}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <Qr text={first} caption={t('qrSite')} />
        </>
      ) : (
        <p class="muted">{t('connectLocalOnly')}</p>
      )}
      <p class="muted">
        {t('connectAdmin', { url: '\u0000' })
          .split('\u0000')
          .flatMap((part, i) =>
            i === 0
              ? [part]
              : [
                  <span class="ltr" dir="ltr">
                    {info.adminUrl}
                  </span>,
                  part,
                ],
          )}
      </p>
    </section>
  );
}

function Stat({ label, value, warn }: { label: string; value: string | number; warn?: boolean }) {
  return (
    <div class={warn ? 'stat warn' : 'stat'}>
      <span class="value">{value}</span>
      <span class="label">{label}</span>
    </div>
  );
}

export function DashboardPage({ page, d, adminJs }: { page: AdminPage; d: Dashboard; adminJs: string }) {
  const t = tr(page);
  const h = d.health;
  const [before, after] = t('warnClock', { minutes: '\u0000' }).split('\u0000');
  const power = h.throttling
    ? h.throttling.underVoltageNow
      ? t('underVoltage')
      : h.throttling.throttledNow
        ? t('throttled')
        : h.throttling.underVoltageSinceBoot
          ? t('underVoltageBefore')
          : t('powerOk')
    : null;
  return (
    <AdminFrame page={page} title={t('dashboardTitle')}>
      {d.warnings.storageFull && (
        <p class="error" role="alert" id="storage-full">
          {t('warnStorageFull', { free: isolate(bytes(d.storageFreeBytes)) })}
        </p>
      )}
      {d.warnings.lowDisk && (
        <p class="warning" role="alert">
          {t('warnLowDisk', { free: isolate(bytes(h.diskFreeBytes)) })}
        </p>
      )}
      {d.warnings.hot && (
        <p class="warning" role="alert">
          {t('warnHot', { temp: Math.round(h.cpuTempC ?? 0) })}
        </p>
      )}
      {d.warnings.underVoltage && (
        <p class="warning" role="alert">
          {t('underVoltage')}
        </p>
      )}
      <div class="warning" id="clock-warning" hidden>
        <span>
          {before}
          <span id="clock-minutes">?</span>
          {after}
        </span>
        <form method="post" action="/admin/clock">
          <Csrf page={page} />
          <OperationField />
          <input type="hidden" name="browserTime" id="browser-time" value="" />
          <button type="submit" class="small">
            {t('setClock')}
          </button>
        </form>
      </div>
      <div class="stats">
        <Stat label={t('activeNow')} value={d.activeNow} />
        <Stat label={t('activeToday')} value={d.activeToday} />
        <Stat label={t('completionsWeek')} value={d.completionsThisWeek} />
        <Stat label={t('coursesInstalled')} value={d.courses} />
        <Stat label={t('trainees')} value={d.trainees} />
      </div>
      <div class="grid2">
        <ConnectCard page={page} info={d.connect} />
        <section class="card">
          <h2>{t('navSync')}</h2>
          {d.sync ? (
            <dl class="facts">
              <dt>{t('lastExport')}</dt>
              <dd>{d.sync.lastExportAt ? <bdi>{when(page, d.sync.lastExportAt)}</bdi> : t('never')}</dd>
              <dt>{t('pending')}</dt>
              <dd>{d.sync.pendingRows}</dd>
              <dt>{t('lastAck')}</dt>
              <dd>{d.sync.lastAckAt ? <bdi>{when(page, d.sync.lastAckAt)}</bdi> : t('never')}</dd>
            </dl>
          ) : (
            <p class="muted">{t('syncUnavailable')}</p>
          )}
          <p>
            <a href="/admin/sync">{t('syncTitle')}</a>
          </p>
        </section>
        <section class="card">
          <h2>{t('health')}</h2>
          <dl class="facts">
            <dt>{t('cpuLoad')}</dt>
            <dd data-load={d.load ?? ''}>
              {d.load === null
                ? t('unknown')
                : t(d.load === 'quiet' ? 'loadQuiet' : d.load === 'busy' ? 'loadBusy' : 'loadOverloaded')}
            </dd>
            <dt>{t('cpuTemp')}</dt>
            <dd class="ltr">{h.cpuTempC === null ? t('unknown') : `${Math.round(h.cpuTempC)} °C`}</dd>
            <dt>{t('memory')}</dt>
            <dd class="ltr">
              {h.memAvailableBytes === null
                ? t('unknown')
                : `${bytes(h.memAvailableBytes)} / ${bytes(h.memTotalBytes)}`}
            </dd>
            <dt>{t('diskFree')}</dt>
            <dd class="ltr">
              {h.diskFreeBytes === null
                ? t('unknown')
                : `${bytes(h.diskFreeBytes)} / ${bytes(h.diskTotalBytes)}`}
            </dd>
            <dt>{t('uptime')}</dt>
            <dd class="ltr">{duration(h.uptimeSeconds)}</dd>
            {power && (
              <>
                <dt>{t('throttling')}</dt>
                <dd>{power}</dd>
              </>
            )}
            <dt>{t('version')}</dt>
            <dd class="ltr">{d.version}</dd>
            <dt>{t('boxTime')}</dt>
            <dd class="ltr" data-box-time={d.boxTime}>
              {when(page, d.boxTime)}
            </dd>
          </dl>
        </section>
      </div>
      <script src={adminJs} defer></script>
    </AdminFrame>
  );
}
