// The zone.js build: zone.js is loaded first (angular.json "polyfills"), change detection runs on zone turns.
import { provideZoneChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { appConfig } from './app/app-config';
import { DashboardComponent } from './app/dashboard.component';
import { exposeForTests } from './app/expose-for-tests';

bootstrapApplication(DashboardComponent, appConfig(provideZoneChangeDetection({ eventCoalescing: true })))
  .then((appRef) => exposeForTests(appRef, 'zone'))
  .catch((error: unknown) => console.error(error));
