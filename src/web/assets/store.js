// The one per-trainee store on the phone (IndexedDB): lessons kept for reading offline, their images, and
// the queue of what the trainee did while the box was out of reach. One database per trainee
// ("fieldclass:<person id>"), so that on a shared phone another trainee never reads or sends them;
// sign-out deletes it once nothing is left to send. Plain HTTP (http://class.lan) is not a secure
// context: no service worker or Cache Storage, but IndexedDB works.
(function () {
  'use strict';
  var VERSION = 1;
  var STORES = {
    // url -> { url, title, lang, dir, html, doneUrl, next, savedAt } (a lesson), or { url, type: 'quiz',
    // title, html, savedAt } (a quiz page of the module: the content the box rendered)
    lessons: { keyPath: 'url' },
    // url -> { url, blob, type, savedAt } (lesson images; never video)
    files: { keyPath: 'url' },
    // n (auto, = the order the trainee acted in) -> queued action
    queue: { keyPath: 'n', autoIncrement: true },
  };

  function req(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () {
        resolve(r.result);
      };
      r.onerror = function () {
        reject(r.error);
      };
    });
  }

  function dbName(personId) {
    return 'fieldclass:' + personId;
  }

  /** Open the trainee's store; resolves to null where IndexedDB is missing or refused (private mode). */
  function open(personId) {
    if (!window.indexedDB || !personId) return Promise.resolve(null);
    var r;
    try {
      r = window.indexedDB.open(dbName(personId), VERSION);
    } catch {
      return Promise.resolve(null);
    }
    r.onupgradeneeded = function () {
      var db = r.result;
      Object.keys(STORES).forEach(function (name) {
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, STORES[name]);
      });
    };
    return req(r).then(
      function (db) {
        return wrap(db);
      },
      function () {
        return null;
      },
    );
  }

  function wrap(db) {
    function tx(name, mode, fn) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(name, mode);
        var out;
        Promise.resolve(fn(t.objectStore(name))).then(function (v) {
          out = v;
        }, reject);
        t.oncomplete = function () {
          resolve(out);
        };
        t.onerror = t.onabort = function () {
          reject(t.error);
        };
      });
    }
    return {
      get: function (name, key) {
        return tx(name, 'readonly', function (s) {
          return req(s.get(key));
        });
      },
      /** Resolves once the write is committed (the transaction completed). */
      put: function (name, value) {
        return tx(name, 'readwrite', function (s) {
          return req(s.put(value));
        });
      },
      del: function (name, key) {
        return tx(name, 'readwrite', function (s) {
          return req(s.delete(key));
        });
      },
      /** Every record, in key order (for the queue: the order the trainee acted in). */
      all: function (name) {
        return tx(name, 'readonly', function (s) {
          return req(s.getAll());
        });
      },
      count: function (name) {
        return tx(name, 'readonly', function (s) {
          return req(s.count());
        });
      },
      close: function () {
        db.close();
      },
    };
  }

  /** Remove everything this phone keeps for a trainee. */
  function destroy(personId) {
    if (!window.indexedDB || !personId) return Promise.resolve();
    return req(window.indexedDB.deleteDatabase(dbName(personId))).then(
      function () {},
      function () {},
    );
  }

  window.fieldclassStore = { open: open, destroy: destroy };
})();
