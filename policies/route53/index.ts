/** Route 53 record policies: SPF, DMARC, DKIM and MAIL FROM records. */
export { configureDkimCname } from "./Record/configureDkimCname";
export { configureExternalRecords, configureExternalRecordsAdvisory } from "./Record/configureExternalRecords";
export { configureDmarcPolicy } from "./Record/configureDmarcPolicy";
export { configureDmarcSpfAlignment } from "./Record/configureDmarcSpfAlignment";
export { configureDmarcRua } from "./Record/configureDmarcRua";
export { configureMailFromMx } from "./Record/configureMailFromMx";
export { configureSpfAll } from "./Record/configureSpfAll";
export { disallowInvalidDmarc } from "./Record/disallowInvalidDmarc";
export { disallowInvalidSpf } from "./Record/disallowInvalidSpf";
export { disallowMultipleSpf } from "./Record/disallowMultipleSpf";
export { disallowMultipleSpfValues } from "./Record/disallowMultipleSpfValues";
export { disallowSpfLargeNetwork } from "./Record/disallowSpfLargeNetwork";
export { disallowSpfPtr } from "./Record/disallowSpfPtr";
export { disallowSpfWideNetwork } from "./Record/disallowSpfWideNetwork";
export { disallowTooManySpfTerms } from "./Record/disallowTooManySpfTerms";
export { disallowTooManySpfLookups } from "./Record/disallowTooManySpfLookups";
export { missingIdentityRecords } from "./Record/missingIdentityRecords";
export { missingReportAuthorization } from "./Record/missingReportAuthorization";
