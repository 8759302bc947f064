import type { ApplicationConfig, EnvironmentProviders, Provider } from '@angular/core';
import { provideMqtt } from 'rxmqtt/angular';
import { brokerUrl } from './sensors';

/** The MQTT connection of the dashboard: connects at start, reconnects quickly when the broker comes back. */
export function appConfig(changeDetection: Provider | EnvironmentProviders): ApplicationConfig {
  return {
    providers: [
      changeDetection,
      provideMqtt({ url: brokerUrl(), eager: true, keepalive: 30, reconnect: { minDelay: 100, maxDelay: 1000 } }),
    ],
  };
}
