// The zoneless build: no zone.js at all; signals and the async pipe schedule change detection.
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { appConfig } from './app/app-config';
import { DashboardComponent } from './app/dashboard.component';
import { exposeForTests } from './app/expose-for-tests';

bootstrapApplication(DashboardComponent, appConfig(provideZonelessChangeDetection()))
  .then((appRef) => exposeForTests(appRef, 'zoneless'))
  .catch((error: unknown) => console.error(error));
