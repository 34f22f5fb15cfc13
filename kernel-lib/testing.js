'use strict';
// `stagebook/testing` until the package has an exports map: simulators and fake servers (dist/testing).
module.exports = require('./dist/testing');
