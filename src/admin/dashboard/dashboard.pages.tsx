import { Csrf } from '../../web/layout.js';
import { AdminFrame, bytes, duration, tr, when, type AdminPage } from '../kit/admin.layout.js';
import type { Dashboard } from './dashboard.js';
import { isolate } from '../kit/widgets.js';

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
        <section class="card">
          <h2>{t('navSync')}</h2>
          {d.sync ? (
            <dl class="facts">
              <dt>{t('lastExport')}</dt>
              <dd class="ltr">{d.sync.lastExportAt ? when(page, d.sync.lastExportAt) : t('never')}</dd>
              <dt>{t('pending')}</dt>
              <dd>{d.sync.pendingRows}</dd>
              <dt>{t('lastAck')}</dt>
              <dd class="ltr">{d.sync.lastAckAt ? when(page, d.sync.lastAckAt) : t('never')}</dd>
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
            <dd class="ltr">{h.cpuLoad === null ? t('unknown') : `${Math.round(h.cpuLoad * 100)}%`}</dd>
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
