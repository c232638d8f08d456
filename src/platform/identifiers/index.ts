export {
  ageInMonths,
  ageInYears,
  checkDigit,
  isValidBin,
  isValidIin,
  makeBin,
  makeIin,
  parseBin,
  parseIin,
  type BinParseResult,
  type IinParseResult,
  type Sex,
} from './iin.js';
export { isKato } from './kato.js';
export { maskPhone, normalizeKzPhone } from './phone.js';
export { isUuid } from './uuid.js';
