// The privacy notice: both languages are in the markup; i18n shows the current one.
import { initPage } from './page.js';

initPage();
