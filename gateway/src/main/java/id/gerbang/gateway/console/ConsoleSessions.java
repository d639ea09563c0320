package id.gerbang.gateway.console;

import jakarta.servlet.DispatcherType;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.session.SessionProperties;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.support.GenericConversionService;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializationFailedException;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.session.web.http.CookieHttpSessionIdResolver;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.session.web.http.HttpSessionIdResolver;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * How the console's sessions are written to the shared database (Spring Session JDBC; docs/console.md,
 * "Sessions across nodes"): Java serialization, as Spring Session does by default, with one difference. A
 * session attribute that this node cannot read (written by a node of another version during a rolling
 * upgrade, whose Spring Security classes serialize differently) counts as absent: the person is asked to log
 * in again, where Spring Session would fail every page of that session with 500 until it expired.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleSessions {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSessions.class);

    /**
     * Spring Session's filter, as Spring Boot makes it, but over {@link ConsoleSessionRepository} (the JDBC
     * repository read and written once a request, for the console's requests only, the last access once a
     * minute, a short life before login) rather than over the JDBC repository itself. A session repository
     * bean of Gerbang's own would make Spring Boot leave its JDBC sessions out altogether.
     */
    @Bean
    static BeanPostProcessor consoleSessionFilter(ObjectProvider<JdbcIndexedSessionRepository> jdbc,
            ObjectProvider<SessionProperties> session, ObjectProvider<ServerProperties> server,
            ObjectProvider<ConsoleProperties> console, ObjectProvider<HttpSessionIdResolver> resolvers,
            ObjectProvider<CookieSerializer> cookies) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (!(bean instanceof SessionRepositoryFilter<?>)) {
                    return bean;
                }
                Duration timeout = session.getObject().determineTimeout(() -> server.getObject().getServlet().getSession().getTimeout());
                SessionRepositoryFilter<?> filter = new SessionRepositoryFilter<>(new ConsoleSessionRepository(jdbc.getObject(),
                        timeout == null ? Duration.ofMinutes(30) : timeout, console.getObject().loginTimeout()));
                filter.setHttpSessionIdResolver(resolvers.getIfAvailable(() -> {
                    CookieHttpSessionIdResolver byCookie = new CookieHttpSessionIdResolver();
                    byCookie.setCookieSerializer(cookies.getObject());
                    return byCookie;
                }));
                return filter;
            }
        };
    }

    /** Just before Spring Session's filter, on the same dispatches: which requests may have a session. */
    @Bean
    FilterRegistrationBean<ConsoleSessionRepository.Scope> consoleSessionScope() {
        FilterRegistrationBean<ConsoleSessionRepository.Scope> registration =
                new FilterRegistrationBean<>(new ConsoleSessionRepository.Scope());
        registration.setOrder(SessionRepositoryFilter.DEFAULT_ORDER - 1);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        return registration;
    }

    @Bean
    SessionRepositoryCustomizer<JdbcIndexedSessionRepository> unreadableAttributesAreAbsent() {
        return repository -> repository.setConversionService(conversions(ConsoleSessions.class.getClassLoader()));
    }

    static GenericConversionService conversions(ClassLoader classLoader) {
        GenericConversionService conversions = new GenericConversionService();
        conversions.addConverter(Object.class, byte[].class, new SerializingConverter());
        DeserializingConverter read = new DeserializingConverter(classLoader);
        conversions.addConverter(byte[].class, Object.class, bytes -> {
            try {
                return read.convert(bytes);
            } catch (SerializationFailedException e) {
                log.warn("A console session attribute this node cannot read (written by another version?) is ignored: "
                        + "its person logs in again ({})", e.getMostSpecificCause().toString());
                return null;
            }
        });
        return conversions;
    }
}
