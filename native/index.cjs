// Loads the built addon (build/Release/strata_native.node); throws when it was not built.
'use strict';
module.exports = require('./build/Release/strata_native.node');
