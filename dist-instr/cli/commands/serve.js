import { parseListen, startServer } from '../../serve/server.js';
import { Repository } from '../../store/repository.js';
import { cacheOptions, globals, repoPath } from '../context.js';
import { intArg } from '../validate.js';
import { printJson, println, warn } from '../output.js';
export function register(program) {
    program
        .command('serve')
        .description('browse history in a browser and as a read-only WebDAV drive (/dav/); prints the URLs with the access token')
        .option('--listen <host:port>', 'address to listen on (port 0: a free one)', '127.0.0.1:0')
        .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
        .option('--tls-key <file>', 'and this private key (PEM)')
        .option('--insecure-http', 'allow plain HTTP on a non-loopback address')
        .option('--poll-ms <ms>', 'how often live pages look for new snapshots', '1000')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const { host, port } = parseListen(opts.listen);
        const pollMs = intArg(opts.pollMs, '--poll-ms', 50, 3_600_000);
        const repo = await Repository.open(repoPath(g), cacheOptions(g));
        let served;
        try {
            served = await startServer(repo, { host, port, tlsCert: opts.tlsCert, tlsKey: opts.tlsKey, insecureHttp: opts.insecureHttp, pollMs });
        }
        catch (e) {
            await repo.close();
            throw e;
        }
        // handlers first: a script may send SIGTERM the moment it reads the URLs
        const stopped = new Promise((resolve) => {
            const stop = () => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
        });
        if (g.json)
            printJson({ url: served.url, webdav: served.davUrl, listen: `${host}:${served.port}`, repository: repo.location });
        else {
            println(served.url);
            println(served.davUrl);
        }
        if (!g.quiet)
            warn(`strata serve: serving ${repo.location} until interrupted (Ctrl-C)`);
        await stopped;
        await served.close();
        await repo.close();
    });
}
//# sourceMappingURL=serve.js.map