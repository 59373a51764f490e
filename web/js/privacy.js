// The privacy notice: both languages are in the markup; i18n shows the current one.
import './strings.js';
import { initPage } from '../lib/page.js';

initPage();
