/** The officer's field screens other than "Hôm nay": outreach sessions and the sync details. */
import { OfficerNav } from './OfficerNav';
import { Outreach } from './Outreach';
import { officerRoute } from './router';
import { SessionView } from './SessionView';
import { SyncCenter } from './SyncCenter';
import './officer.css';

export function OfficerMain() {
  const r = officerRoute.value;
  if (!r) return null;
  return (
    <>
      <OfficerNav current={r.name === 'sync' ? 'sync' : 'outreach'} />
      {r.name === 'outreach' ? <Outreach /> : r.name === 'session' ? <SessionView id={r.id} /> : <SyncCenter />}
    </>
  );
}
