import { ChangeDetectionStrategy, Component, computed } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { json } from 'rxmqtt';
import { connectionState, injectMqtt, mqttSignal } from 'rxmqtt/angular';
import { scan } from 'rxjs';
import { SENSOR_TEMPERATURE, isReading } from './sensors';

/** The latest reading of one sensor, and how many arrived. */
interface SensorRow {
  readonly id: string;
  readonly celsius: number;
  readonly seq: number;
  readonly count: number;
}

/**
 * A dashboard of the simulated sensors: the connection state (a signal), the latest message on any
 * sensor (mqttSignal), and one row per sensor folded from the message stream (toSignal).
 */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>rxmqtt sensors</h1>
    <p class="state" [attr.data-state]="state().status">broker: {{ state().status }}</p>
    <p class="latest">latest: {{ latest()?.params?.id ?? 'waiting for the first reading' }}</p>
    <p class="received" [attr.data-count]="received()">{{ received() }} readings</p>
    <table>
      <thead><tr><th>sensor</th><th>°C</th><th>seq</th><th>readings</th></tr></thead>
      <tbody>
        @for (row of rows(); track row.id) {
          <tr class="reading" [attr.data-sensor]="row.id" [class.alert]="row.celsius > 30">
            <td>{{ row.id }}</td>
            <td class="celsius">{{ row.celsius.toFixed(2) }}</td>
            <td class="seq">{{ row.seq }}</td>
            <td>{{ row.count }}</td>
          </tr>
        }
      </tbody>
    </table>
  `,
})
export class DashboardComponent {
  readonly state = connectionState();
  readonly latest = mqttSignal(SENSOR_TEMPERATURE, { qos: 1 });
  private readonly table = toSignal(
    injectMqtt()
      .subscribe(SENSOR_TEMPERATURE, { qos: 1 })
      .pipe(
        json(isReading, { invalid: 'skip' }),
        scan((rows, m) => {
          const previous = rows.get(m.params.id);
          return new Map(rows).set(m.params.id, { id: m.params.id, celsius: m.value.celsius, seq: m.value.seq, count: (previous?.count ?? 0) + 1 });
        }, new Map<string, SensorRow>()),
      ),
    { initialValue: new Map<string, SensorRow>() },
  );
  readonly rows = computed(() => [...this.table().values()].sort((a, b) => a.id.localeCompare(b.id)));
  readonly received = computed(() => this.rows().reduce((n, r) => n + r.count, 0));
}
